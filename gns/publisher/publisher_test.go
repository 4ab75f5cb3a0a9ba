package publisher

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/store"
)

type put struct {
	at    time.Time
	query [64]byte
	block []byte
	exp   time.Time
}

type sink struct {
	sim  *loop.Sim
	puts []put
}

func (s *sink) PutBlock(q [64]byte, b []byte, exp time.Time) {
	s.puts = append(s.puts, put{at: s.sim.Now(), query: q, block: b, exp: exp})
}

type fixture struct {
	sim  *loop.Sim
	env  *loop.SimEnv
	ns   *namestore.Store
	priv *zone.PrivateKey
	sink *sink
	pub  *Publisher
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ns, err := namestore.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := zone.GenerateEDKEY(rand.Reader)
	sim := loop.NewSim(1)
	f := &fixture{sim: sim, env: sim.NewEnv(0, slog.New(slog.DiscardHandler)), ns: ns, priv: priv, sink: &sink{sim: sim}}
	cfg.Env, cfg.Store, cfg.Sink = f.env, ns, f.sink
	cfg.Keys = func(zk zone.PublicKey) (*zone.PrivateKey, error) {
		if zk.Equal(priv.Public()) {
			return priv, nil
		}
		return nil, fmt.Errorf("no key for %s", zk)
	}
	f.pub = New(cfg)
	return f
}

func (f *fixture) add(t *testing.T, label, typ, value, exp, flags string) {
	t.Helper()
	r, err := gns.ParseRecord(typ, value, exp, flags)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ns.Add(f.priv.Public(), label, r); err != nil {
		t.Fatal(err)
	}
}

// open decrypts a published block for label and returns its records.
func (f *fixture) open(t *testing.T, p put, label string) []record.Record {
	t.Helper()
	blk, err := zone.ParseBlock(p.block)
	if err != nil {
		t.Fatal(err)
	}
	if err := blk.Verify(); err != nil {
		t.Fatal(err)
	}
	q, _ := f.priv.Public().Query(label)
	if q != p.query {
		t.Fatalf("block put under query %x, expected the query of %q", p.query[:8], label)
	}
	recs, err := record.OpenBlock(blk, f.priv.Public(), label)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestPublishSkipsPrivate(t *testing.T) {
	f := newFixture(t, Config{})
	f.add(t, "www", "A", "192.0.2.1", "1d", "-")
	f.add(t, "www", "TXT", "secret", "1d", "private")
	f.add(t, "hidden", "TXT", "secret", "1d", "private")
	if err := f.pub.Start(); err != nil {
		t.Fatal(err)
	}
	f.sim.RunFor(time.Minute)
	if len(f.sink.puts) != 1 {
		t.Fatalf("%d blocks published, expected 1 (www only)", len(f.sink.puts))
	}
	recs := f.open(t, f.sink.puts[0], "www")
	if len(recs) != 1 || recs[0].Type != record.TypeA || recs[0].IsRelative() {
		t.Errorf("published records %+v, expected one absolute A record", recs)
	}
}

func TestPublishAfterChangeNewExpiry(t *testing.T) {
	f := newFixture(t, Config{})
	f.add(t, "www", "A", "192.0.2.1", "2100-01-01T00:00:00Z", "-")
	f.pub.Start()
	f.sim.RunFor(time.Minute)
	f.add(t, "www", "A", "192.0.2.2", "2100-01-01T00:00:00Z", "-")
	f.sim.RunFor(time.Minute)
	if len(f.sink.puts) != 2 {
		t.Fatalf("%d blocks published, expected 2", len(f.sink.puts))
	}
	if f.sink.puts[0].exp.Equal(f.sink.puts[1].exp) {
		t.Errorf("changed record set kept block expiration %v", f.sink.puts[0].exp)
	}
	if recs := f.open(t, f.sink.puts[1], "www"); len(recs) != 2 {
		t.Errorf("second block has %d records, expected 2", len(recs))
	}
}

func TestPublishWithdrawsDeletedLabel(t *testing.T) {
	f := newFixture(t, Config{WithdrawLifetime: 30 * time.Minute})
	f.add(t, "www", "A", "192.0.2.1", "1d", "-")
	f.pub.Start()
	f.sim.RunFor(time.Minute)
	if _, err := f.ns.Delete(f.priv.Public(), "www", namestore.Match{}); err != nil {
		t.Fatal(err)
	}
	f.sim.RunFor(time.Minute)
	if len(f.sink.puts) != 2 {
		t.Fatalf("%d blocks published, expected the block and its withdrawal", len(f.sink.puts))
	}
	w := f.sink.puts[1]
	if recs := f.open(t, w, "www"); len(recs) != 0 {
		t.Errorf("withdrawal block has %d records", len(recs))
	}
	if got := w.exp.Sub(w.at); got != 30*time.Minute {
		t.Errorf("withdrawal lives %v, expected 30m", got)
	}
	if f.pub.Stats().Withdrawn != 1 {
		t.Errorf("stats %+v", f.pub.Stats())
	}
}

func TestPublishRepublishesBeforeExpiry(t *testing.T) {
	f := newFixture(t, Config{})
	f.add(t, "www", "A", "192.0.2.1", "2h", "-")
	f.pub.Start()
	f.sim.RunFor(10 * time.Hour)
	puts := f.sink.puts
	if len(puts) < 5 {
		t.Fatalf("%d publications in 10h of a 2h record, expected at least 5", len(puts))
	}
	for i := 1; i < len(puts); i++ {
		if !puts[i].at.Before(puts[i-1].exp) {
			t.Errorf("publication %d at %v, after the previous block expired at %v", i, puts[i].at, puts[i-1].exp)
		}
	}
}

func TestPublishRateLimited(t *testing.T) {
	interval := time.Second
	f := newFixture(t, Config{Interval: interval})
	for i := range 20 {
		f.add(t, fmt.Sprintf("l%d", i), "A", "192.0.2.1", "1d", "-")
	}
	f.pub.Start()
	f.sim.RunFor(time.Minute)
	puts := f.sink.puts
	if len(puts) != 20 {
		t.Fatalf("%d publications, expected 20", len(puts))
	}
	for i := 1; i < len(puts); i++ {
		if gap := puts[i].at.Sub(puts[i-1].at); gap < interval*9/10 {
			t.Errorf("publications %d and %d only %v apart, expected at least %v", i-1, i, gap, interval*9/10)
		}
	}
}

func TestPublishIgnoresForeignZone(t *testing.T) {
	f := newFixture(t, Config{})
	other, _ := zone.GenerateEDKEY(rand.Reader)
	r, _ := gns.ParseRecord("A", "192.0.2.1", "1d", "-")
	f.ns.Add(other.Public(), "www", r)
	f.pub.Start()
	f.sim.RunFor(time.Minute)
	if len(f.sink.puts) != 0 {
		t.Errorf("%d blocks published for a zone without key", len(f.sink.puts))
	}
}

func TestPublishWithdrawsAfterRestart(t *testing.T) {
	f := newFixture(t, Config{})
	f.add(t, "www", "TXT", "now private", "1d", "private")
	f.pub.Start()
	f.sim.RunFor(time.Minute)
	if len(f.sink.puts) != 0 {
		t.Fatalf("%d blocks for a private-only label at start", len(f.sink.puts))
	}
	// A change to a label without public records withdraws it even though
	// this run never published it, because an earlier run may have.
	f.ns.Delete(f.priv.Public(), "www", namestore.Match{})
	f.sim.RunFor(time.Minute)
	if len(f.sink.puts) != 1 || len(f.open(t, f.sink.puts[0], "www")) != 0 {
		t.Errorf("%d blocks after the change, expected one empty block", len(f.sink.puts))
	}
}
