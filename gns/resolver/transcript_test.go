package resolver

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// seededKey returns a zone key with a fixed seed, so transcripts are
// stable.
func seededKey(t *testing.T, typ zone.KeyType, seed byte) *zone.PrivateKey {
	t.Helper()
	b := make([]byte, 32)
	b[0] = seed
	var k *zone.PrivateKey
	var err error
	if typ == zone.TypePKEY {
		b[31] = 1
		k, err = zone.NewPKEY(b)
	} else {
		k, err = zone.NewEDKEY(b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestTranscriptDelegation resolves names across three zones and compares
// each step with testdata/delegation.golden. Run with -update to rewrite
// the file, then review the diff.
func TestTranscriptDelegation(t *testing.T) {
	root, mid, leaf := seededKey(t, zone.TypeEDKEY, 1), seededKey(t, zone.TypePKEY, 2), seededKey(t, zone.TypeEDKEY, 3)
	names := map[zone.PublicKey]string{root.Public(): "root", mid.Public(): "mid", leaf.Public(): "leaf"}
	var out strings.Builder
	w := newWorld(t, root, func(c *Config) {
		c.Trace = func(s Step) {
			fmt.Fprintf(&out, "  step zone=%s label=%s source=%s records=%d\n", names[s.Zone], s.Label, s.Source, s.Records)
		}
	})
	w.publish(root, "a", delegation(t, mid))
	w.publish(mid, "b", delegation(t, leaf))
	w.publish(mid, "alias", rec(t, "REDIRECT", "www.b.+", "-"))
	w.publish(leaf, "www", rec(t, "A", "192.0.2.3", "-"))
	w.publish(leaf, "@", rec(t, "TXT", "leaf apex", "-"))
	for _, q := range []struct {
		name string
		typ  record.Type
	}{
		{"www.b.a.gnu", record.TypeA},
		{"www.b.a.gnu", record.TypeA},
		{"alias.a.gnu", record.TypeA},
		{"b.a.gnu", record.TypeTXT},
		{"nothing.b.a.gnu", record.TypeA},
	} {
		start := w.sim.Now()
		r := w.resolve(q.name, q.typ)
		fmt.Fprintf(&out, "resolve %s %s: %s %q after %v\n", q.name, q.typ, r.Code, values(t, r), w.sim.Now().Sub(start))
		w.sim.RunFor(time.Second)
	}
	compareGolden(t, filepath.Join("testdata", "delegation.golden"), out.String())
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("transcript differs from %s:\n%s\nexpected:\n%s", path, got, want)
	}
}
