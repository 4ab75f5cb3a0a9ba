package core

import (
	"bytes"
	"testing"
	"time"
)

func TestReplayWindow(t *testing.T) {
	var w replayWindow
	for _, n := range []uint64{0, 1, 5, 3, 200, 199, 100} {
		if !w.fresh(n) {
			t.Fatalf("nonce %d rejected before it was seen", n)
		}
		w.mark(n)
		if w.fresh(n) {
			t.Fatalf("nonce %d accepted twice", n)
		}
	}
	if w.fresh(200 - replayWindowSize) {
		t.Error("a nonce a full window behind the top was accepted")
	}
	if !w.fresh(200 - replayWindowSize + 1) {
		t.Error("an unseen nonce inside the window was rejected")
	}
	if !w.fresh(198) || w.fresh(199) {
		t.Error("window bits are wrong after advancing")
	}
	w.mark(10000)
	if !w.fresh(9999) || w.fresh(200) {
		t.Error("a jump past the window did not reset it")
	}
}

func TestReplayCache(t *testing.T) {
	skew := time.Minute
	now := time.Unix(1000000, 0)
	r := newReplayCache(3, skew, time.Time{})
	key := func(b byte) [keySize]byte { return [keySize]byte{b} }
	if got := r.check(key(1), now, now); got != probeNone {
		t.Fatalf("fresh message classified %s", got)
	}
	if got := r.check(key(1), now, now); got != probeReplay {
		t.Errorf("replay classified %s", got)
	}
	if got := r.check(key(2), now.Add(-skew-time.Second), now); got != probeStale {
		t.Errorf("old message classified %s", got)
	}
	if got := r.check(key(3), now.Add(skew+time.Second), now); got != probeFuture {
		t.Errorf("future message classified %s", got)
	}

	for i := byte(4); i < 8; i++ {
		if got := r.check(key(i), now.Add(time.Duration(i)*time.Second), now); got != probeNone {
			t.Fatalf("message %d classified %s", i, got)
		}
	}
	if r.len() != 3 {
		t.Errorf("cache holds %d entries, bound is 3", r.len())
	}

	// Evicted entries raised the floor, so their replays are stale.
	if got := r.check(key(1), now, now); got != probeStale {
		t.Errorf("replay of an evicted message classified %s, expected stale", got)
	}
	later := now.Add(3 * skew)
	if got := r.check(key(9), later, later); got != probeNone || r.len() != 1 {
		t.Errorf("after the window passed: %s with %d entries, expected none and 1", got, r.len())
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	var b []byte
	msgs := [][]byte{{}, []byte("a"), bytes.Repeat([]byte{9}, MaxMessageSize)}
	for i, m := range msgs {
		b = appendRecord(b, Service(i+1), m)
	}
	if err := checkRecords(b); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		s, got, rest, err := nextRecord(b)
		if err != nil || s != Service(i+1) || !bytes.Equal(got, m) {
			t.Fatalf("record %d: service %d, %d bytes, %v", i, s, len(got), err)
		}
		b = rest
	}
	if len(b) != 0 {
		t.Errorf("%d bytes left after the last record", len(b))
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	_, a, b := linkPair(t, Config{})
	la, lb := a.core.links[b.id], b.core.links[a.id]
	batch := appendRecord(make([]byte, frameHeaderSize), ServiceTest, []byte("sealed"))
	frame := la.seal(batch)
	h, body, err := parseFrame(frame)
	if err != nil || h.nonce != la.send.nonce-1 {
		t.Fatalf("parseFrame: %+v, %v", h, err)
	}
	plain, err := lb.recv.open(h, frame[:frameHeaderSize], body)
	if err != nil {
		t.Fatal(err)
	}
	s, msg, _, err := nextRecord(plain)
	if err != nil || s != ServiceTest || string(msg) != "sealed" {
		t.Errorf("opened record: service %d, %q, %v", s, msg, err)
	}
}

func FuzzLinkFrame(f *testing.F) {
	f.Add([]byte{})
	f.Add(frameHeader{epoch: 1, nonce: 7}.Append(make([]byte, 0, 32)))
	f.Add(append(frameHeader{nonce: 1}.Append(nil), make([]byte, tagSize+3)...))
	f.Fuzz(func(t *testing.T, frame []byte) {
		h, body, err := parseFrame(frame)
		if err != nil {
			if len(frame) >= frameHeaderSize+tagSize {
				t.Fatalf("a frame of %d bytes failed: %v", len(frame), err)
			}
			return
		}
		again := append(h.Append(nil), body...)
		if !bytes.Equal(again, frame) {
			t.Fatal("header round trip changed the frame")
		}
		for i := range frameHeaderSize + tagSize {
			if _, _, err := parseFrame(frame[:i]); err == nil {
				t.Fatalf("prefix of %d bytes parsed", i)
			}
		}
	})
}

func FuzzRecords(f *testing.F) {
	f.Add([]byte{})
	f.Add(appendRecord(appendRecord(nil, ServiceDHT, []byte("x")), serviceControl, []byte{controlClose}))
	f.Add([]byte{1, 0xff, 0xff, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := checkRecords(b); err != nil {
			return
		}
		var again []byte
		count := 0
		for rest := b; len(rest) > 0; count++ {
			s, msg, next, err := nextRecord(rest)
			if err != nil {
				t.Fatalf("checkRecords passed but record %d failed: %v", count, err)
			}
			again = appendRecord(again, s, msg)
			rest = next
		}
		if !bytes.Equal(again, b) {
			t.Fatal("record round trip changed the batch")
		}
		if count > 0 {
			if err := checkRecords(b[:len(b)-1]); err == nil {
				t.Fatal("a batch cut by one byte passed")
			}
		}
	})
}

func TestReplayCacheRejectsMessagesFromBeforeStart(t *testing.T) {
	start := time.Unix(1000000, 0)
	r := newReplayCache(16, time.Minute, start)
	if got := r.check([keySize]byte{1}, start.Add(-time.Second), start.Add(time.Second)); got != probeStale {
		t.Errorf("message stamped before a restart classified %s, want stale", got)
	}
	if got := r.check([keySize]byte{2}, start, start); got != probeNone {
		t.Errorf("message stamped at start classified %s, want accepted", got)
	}
}
