package resolver

import (
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/gns/publisher"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/store"
)

// PutBlock lets the fake DHT take the publisher's blocks.
func (d *fakeDHT) PutBlock(q [64]byte, b []byte, expires time.Time) { d.put(q, b) }

// TestPublishThenResolve runs the namestore, the publisher and the
// resolver of one peer against the fake DHT: records added with the zone
// file importer become resolvable, and deleting them makes the name
// disappear once the cached set expires.
func TestPublishThenResolve(t *testing.T) {
	home := t.TempDir()
	ids, err := gns.OpenIdentities(home)
	if err != nil {
		t.Fatal(err)
	}
	me, err := ids.Create("me", zone.TypeEDKEY, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ns, _ := namestore.Open(db)

	w := newWorld(t, me.Key, nil)
	pub := publisher.New(publisher.Config{Env: w.env, Store: ns, Keys: ids.ZoneKey, Sink: w.dht})
	if err := pub.Start(); err != nil {
		t.Fatal(err)
	}
	zoneText := "www A 10m - 192.0.2.80\nsecret TXT 1d private hidden\n"
	if err := ns.Import(me.Zone(), strings.NewReader(zoneText), namestore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	w.sim.RunFor(time.Minute)

	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.80")
	expectCode(t, w.resolve("secret.gnu", record.TypeTXT), NotFound, nil)

	ns.Delete(me.Zone(), "www", namestore.Match{})
	w.sim.RunFor(15 * time.Minute)
	expectCode(t, w.resolve("www.gnu", record.TypeA), NotFound, nil)
	// Two withdrawals: the private-only label when it was imported, and
	// www when it was deleted.
	if st := pub.Stats(); st.Published == 0 || st.Withdrawn != 2 {
		t.Errorf("publisher stats %+v, expected publications and two withdrawals", st)
	}
}
