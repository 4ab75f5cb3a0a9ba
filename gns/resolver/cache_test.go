package resolver

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/store"
)

func TestBoltCachePersistsAndExpires(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenBoltCache(db)
	if err != nil {
		t.Fatal(err)
	}
	zk := newKey(t, zone.TypeEDKEY).Public()
	now := loop.SimEpoch
	recs := []record.Record{rec(t, "A", "192.0.2.1", "-")}
	c.Put(zk, "www", recs, now.Add(time.Hour))
	c.Put(zk, "gone", []record.Record{}, now.Add(time.Hour))
	c.Put(zk, "old", recs, now.Add(time.Minute))
	if got, ok := c.Get(zk, "www", now); !ok || len(got) != 1 {
		t.Errorf("queued entry: %v %v, expected the A record", got, ok)
	}
	c.Close()
	db.Close()

	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, _ = OpenBoltCache(db)
	defer c.Close()
	got, ok := c.Get(zk, "www", now)
	if !ok || len(got) != 1 || got[0].Type != record.TypeA {
		t.Errorf("after reopen: %v %v, expected the A record", got, ok)
	}
	if got, ok := c.Get(zk, "gone", now); !ok || len(got) != 0 {
		t.Errorf("empty set: %v %v, expected a cached empty set", got, ok)
	}
	later := now.Add(30 * time.Minute)
	if _, ok := c.Get(zk, "old", later); ok {
		t.Error("expired entry returned")
	}
	if n, err := c.Prune(later); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; expected 1", n, err)
	}
}

func TestMemCacheEvictsEarliest(t *testing.T) {
	c := NewMemCache(2)
	zk := newKey(t, zone.TypeEDKEY).Public()
	now := loop.SimEpoch
	c.Put(zk, "a", nil, now.Add(time.Hour))
	c.Put(zk, "b", nil, now.Add(time.Minute))
	c.Put(zk, "c", nil, now.Add(2*time.Hour))
	if _, ok := c.Get(zk, "b", now); ok {
		t.Error("entry expiring first survived eviction")
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, expected 2", c.Len())
	}
}

func TestBlockingResolve(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	lp := loop.NewReal(slog.New(slog.DiscardHandler))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go lp.Run(ctx)
	defer lp.Stop()
	suffixes, _ := gns.NewSuffixMap(root.Public(), nil)
	local := func(zk zone.PublicKey, label string) ([]record.Record, bool) {
		return []record.Record{rec(t, "A", "192.0.2.1", "-")}, zk.Equal(root.Public())
	}
	dht := &fakeDHT{env: lp, silent: true}
	b := Blocking{Post: lp.Post, Resolver: New(Config{Env: lp, Suffixes: suffixes, Blocks: dht, Local: local})}
	r, err := b.Resolve(context.Background(), "www.gnu", record.TypeA)
	if err != nil || r.Code != Found || len(r.Records) != 1 {
		t.Fatalf("Resolve = %+v, %v", r, err)
	}
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	other := newKey(t, zone.TypeEDKEY).Public()
	if _, err := b.Resolve(short, "www."+other.String(), record.TypeA); err != context.DeadlineExceeded {
		t.Errorf("Resolve with a silent DHT: %v, expected the context deadline", err)
	}
}
