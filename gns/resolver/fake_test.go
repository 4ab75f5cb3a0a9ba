package resolver

import (
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// fakeDHT serves blocks by query after a fixed delay on the simulated
// loop, then reports the search done. It counts the lookups.
type fakeDHT struct {
	env    loop.Env
	blocks map[[64]byte][][]byte
	gets   int
	silent bool // never reply and never report done
}

func (d *fakeDHT) GetBlock(q [64]byte, cb func([]byte), done func()) func() {
	d.gets++
	if d.silent {
		return func() {}
	}
	cancelled := false
	d.env.After(20*time.Millisecond, func() {
		for _, b := range d.blocks[q] {
			if cancelled {
				return
			}
			cb(b)
		}
		if !cancelled {
			done()
		}
	})
	return func() { cancelled = true }
}

func (d *fakeDHT) put(q [64]byte, b []byte) { d.blocks[q] = append(d.blocks[q], b) }

// world is a simulated peer with a resolver, a fake DHT and zones to
// publish into it.
type world struct {
	t   *testing.T
	sim *loop.Sim
	env *loop.SimEnv
	dht *fakeDHT
	res *Resolver
	cfg Config
}

func newWorld(t *testing.T, root *zone.PrivateKey, tweak func(*Config)) *world {
	t.Helper()
	sim := loop.NewSim(7)
	env := sim.NewEnv(0, slog.New(slog.DiscardHandler))
	suffixes, err := gns.NewSuffixMap(root.Public(), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, sim: sim, env: env, dht: &fakeDHT{env: env, blocks: map[[64]byte][][]byte{}}}
	w.cfg = Config{Env: env, Suffixes: suffixes, Blocks: w.dht}
	if tweak != nil {
		tweak(&w.cfg)
	}
	w.res = New(w.cfg)
	return w
}

func newKey(t testing.TB, typ zone.KeyType) *zone.PrivateKey {
	t.Helper()
	var k *zone.PrivateKey
	var err error
	if typ == zone.TypePKEY {
		k, err = zone.GeneratePKEY(rand.Reader)
	} else {
		k, err = zone.GenerateEDKEY(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rec builds a record from text with an absolute expiration one day after
// the simulation's start.
func rec(t testing.TB, typ, value, flags string) record.Record {
	t.Helper()
	r, err := gns.ParseRecord(typ, value, "2030-01-02T00:00:00Z", flags)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func delegation(t testing.TB, to *zone.PrivateKey) record.Record {
	return rec(t, to.Public().Type().String(), to.Public().String(), "-")
}

// publish seals recs for label in the zone of priv and stores the block.
func (w *world) publish(priv *zone.PrivateKey, label string, recs ...record.Record) *zone.Block {
	w.t.Helper()
	blk, err := record.SealSet(priv, label, recs, w.sim.Now(), nil)
	if err != nil {
		w.t.Fatal(err)
	}
	w.dht.put(blk.Query(), blk.Marshal())
	return blk
}

// resolve runs one resolution to its end in virtual time.
func (w *world) resolve(name string, typ record.Type) Result {
	w.t.Helper()
	var res *Result
	w.res.Resolve(name, typ, func(r Result) { res = &r })
	for res == nil && w.sim.Step() {
	}
	if res == nil {
		w.t.Fatalf("resolution of %q never finished", name)
	}
	return *res
}

func values(t testing.TB, r Result) []string {
	t.Helper()
	var out []string
	for _, info := range r.Infos() {
		out = append(out, info.Type+" "+info.Value)
	}
	return out
}
