package core

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/store"
)

func testPeerStore(t *testing.T, s PeerStore) {
	now := time.Unix(1900000000, 0)
	key, other := testKey(t, 1), testKey(t, 2)
	mk := func(k int, expires time.Time) *hello.Hello {
		h, err := hello.New(testKey(t, k), []string{"tcp://127.0.0.1:1"}, expires)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if _, err := s.Get(key.PeerID()); !errors.Is(err, ErrPeerNotFound) {
		t.Fatalf("Get of an unknown peer: %v, expected ErrPeerNotFound", err)
	}

	newer, older := mk(1, now.Add(2*time.Hour)), mk(1, now.Add(time.Hour))
	for _, step := range []struct {
		h    *hello.Hello
		want bool
	}{{older, true}, {newer, true}, {older, false}, {newer, false}} {
		stored, err := s.Put(step.h)
		if err != nil || stored != step.want {
			t.Fatalf("Put expiring %v: stored %v, %v; expected %v", step.h.Expires, stored, err, step.want)
		}
	}
	got, err := s.Get(key.PeerID())
	if err != nil || !got.Expires.Equal(newer.Expires) {
		t.Fatalf("Get returned expiry %v, %v; expected the newer HELLO", got.Expires, err)
	}

	if _, err := s.Put(mk(2, now.Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	all, err := s.All()
	if err != nil || len(all) != 2 || all[0].Peer.Compare(all[1].Peer) >= 0 {
		t.Fatalf("All returned %d HELLOs, %v; expected 2 in peer ID order", len(all), err)
	}
	n, err := s.Expire(now)
	if err != nil || n != 1 {
		t.Fatalf("Expire removed %d, %v; expected 1", n, err)
	}
	if _, err := s.Get(other.PeerID()); !errors.Is(err, ErrPeerNotFound) {
		t.Errorf("expired HELLO still stored: %v", err)
	}
}

func TestMemPeerStore(t *testing.T) { testPeerStore(t, NewMemPeerStore()) }

func TestBoltPeerStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName)
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewBoltPeerStore(db)
	if err != nil {
		t.Fatal(err)
	}
	testPeerStore(t, s)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err = NewBoltPeerStore(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(testKey(t, 1).PeerID()); err != nil {
		t.Errorf("HELLO lost after reopening the database: %v", err)
	}
}
