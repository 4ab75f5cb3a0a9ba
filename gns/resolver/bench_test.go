package resolver

import (
	"path/filepath"
	"testing"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/store"
)

// benchmarkCached measures a lookup two delegations deep whose three
// record sets are all cached.
func benchmarkCached(b *testing.B, cache func(b *testing.B) Cache) {
	root, mid, leaf := newKey(b, zone.TypeEDKEY), newKey(b, zone.TypePKEY), newKey(b, zone.TypeEDKEY)
	w := newWorld(&testing.T{}, root, func(c *Config) { c.Cache = cache(b) })
	w.t = nil
	publishB(b, w, root, "a", delegation(b, mid))
	publishB(b, w, mid, "b", delegation(b, leaf))
	publishB(b, w, leaf, "www", rec(b, "A", "192.0.2.1", "-"))
	resolveB(b, w)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resolveB(b, w)
	}
}

func publishB(b *testing.B, w *world, priv *zone.PrivateKey, label string, recs ...record.Record) {
	blk, err := record.SealSet(priv, label, recs, w.sim.Now(), nil)
	if err != nil {
		b.Fatal(err)
	}
	w.dht.put(blk.Query(), blk.Marshal())
}

func resolveB(b *testing.B, w *world) {
	var res Result
	done := false
	w.res.Resolve("www.b.a.gnu", record.TypeA, func(r Result) { res, done = r, true })
	for !done && w.sim.Step() {
	}
	if res.Code != Found || len(res.Records) != 1 {
		b.Fatalf("lookup: %+v", res)
	}
}

func BenchmarkResolveCachedMem(b *testing.B) {
	benchmarkCached(b, func(*testing.B) Cache { return NewMemCache(DefaultMemCacheSize) })
}

func BenchmarkResolveCachedBolt(b *testing.B) {
	benchmarkCached(b, func(b *testing.B) Cache {
		db, err := store.Open(filepath.Join(b.TempDir(), "hush.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		c, err := OpenBoltCache(db)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return c
	})
}
