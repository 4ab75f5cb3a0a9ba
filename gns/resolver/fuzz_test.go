package resolver

import (
	"testing"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// FuzzOpenBlock feeds arbitrary bytes to the resolver's block check: only
// the genuine block may open, every truncation must be dropped, and
// nothing may panic.
func FuzzOpenBlock(f *testing.F) {
	priv, err := zone.NewEDKEY(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	now := loop.SimEpoch
	r, _ := record.ParseValue(record.TypeA, "192.0.2.1")
	recs := []record.Record{{Type: record.TypeA, Data: r, Expiration: record.ExpiresAt(now.Add(24 * 60 * 60 * 1e9))}}
	blk, err := record.SealSet(priv, "www", recs, now, nil)
	if err != nil {
		f.Fatal(err)
	}
	good := blk.Marshal()
	f.Add(good)
	f.Add(good[:zone.BlockHeaderSize])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, ok := openBlock(b, priv.Public(), "www", now)
		if ok && string(b) != string(good) {
			t.Fatalf("a block other than the genuine one opened: %x", b)
		}
		for i := range b {
			if _, _, ok := openBlock(b[:i], priv.Public(), "www", now); ok {
				t.Fatalf("truncated block of %d bytes opened", i)
			}
		}
	})
}
