package interop

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// hushLabel is one record set that hush seals and GNUnet resolves.
type hushLabel struct {
	zone    *zone.PrivateKey
	label   string
	records []record.Record
}

// hushLookup is one gnunet-gns lookup of a name in a hush zone and the
// records GNUnet must return. "{pkey}" and "{edkey}" in name stand for
// the zTLDs of the two hush zones.
type hushLookup struct {
	name, typ string
	want      []record.Record
}

// TestGNUnetResolvesHushBlocks seals record sets with hush's
// record.SealSet, stores the blocks in a GNUnet peer's namecache and
// checks that gnunet-gns, which verifies and decrypts the blocks itself,
// returns the records hush published.
func TestGNUnetResolvesHushBlocks(t *testing.T) {
	p := startPeer(t)
	pkey, err := zone.GeneratePKEY(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edkey, err := zone.GenerateEDKEY(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	labels, lookups := hushZones(t, pkey, edkey, now)

	socket := filepath.Join(p.home, "run", "gnunet-service-namecache.sock")
	for _, l := range labels {
		blk, err := record.SealSet(l.zone, l.label, l.records, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := cacheBlock(socket, zone.MicrosFromTime(blk.Expiration), blk.Marshal(), 5*time.Second); err != nil {
			t.Skipf("GNUnet's namecache did not store the block (environment problem, not a hush mismatch): %v", err)
		}
	}
	for _, l := range lookups {
		name := strings.NewReplacer("{pkey}", pkey.Public().String(), "{edkey}", edkey.Public().String()).Replace(l.name)
		out := p.mustRun("gnunet-gns", "-u", name, "-t", l.typ, "-T", "5s")
		got, err := parseLookupOutput(out)
		if err != nil {
			t.Errorf("gnunet-gns -u %s -t %s: %v", l.name, l.typ, err)
			continue
		}
		if want := typedData(l.want); !slices.Equal(got, want) {
			t.Errorf("gnunet-gns -u %s -t %s returned\n%s\nread by hush as %v, hush published %v", l.name, l.typ, out, got, want)
		}
	}
	checkForgedBlock(t, p, pkey, now)
}

// hushZones returns the record sets of the two hush zones and the lookups
// that check them.
func hushZones(t *testing.T, pkey, edkey *zone.PrivateKey, now time.Time) ([]hushLabel, []hushLookup) {
	week := record.ExpiresAt(now.Add(7 * 24 * time.Hour))
	a := record.Record{Expiration: week, Type: record.TypeA, Data: []byte{192, 0, 2, 50}}
	aaaa := record.Record{Expiration: week, Type: record.TypeAAAA, Data: unhex(t, "20010db8000000000000000000000050")}
	txt := record.Record{Expiration: week, Type: record.TypeTXT, Data: []byte("sealed by hush")}
	hidden := record.Record{Expiration: week, Type: record.TypeTXT, Flags: record.FlagPrivate, Data: []byte("hidden")}
	mx := record.Record{Expiration: week, Type: record.TypeMX, Data: append([]byte{0, 20}, dnsName("mx.example.org")...)}
	relative := record.Record{Expiration: record.ExpiresAfter(time.Hour), Type: record.TypeA, Flags: record.FlagRelativeExpiration, Data: []byte{192, 0, 2, 51}}
	delegation := record.Record{Expiration: week, Type: record.TypeEDKEY, Flags: record.FlagCritical, Data: edkey.Public().Bytes()}
	edA := record.Record{Expiration: week, Type: record.TypeA, Data: []byte{192, 0, 2, 60}}
	shadow := record.Record{Expiration: record.ExpiresAt(now.Add(8 * 24 * time.Hour)), Type: record.TypeA, Flags: record.FlagShadow, Data: []byte{192, 0, 2, 61}}

	labels := []hushLabel{
		{pkey, "www", []record.Record{a, aaaa, txt, hidden}},
		{pkey, "mail", []record.Record{mx}},
		{pkey, "rel", []record.Record{relative}},
		{pkey, "sub", []record.Record{delegation}},
		{edkey, "www", []record.Record{edA, shadow}},
	}
	lookups := []hushLookup{
		{"www.{pkey}", "ANY", []record.Record{a, aaaa, txt}}, // the private TXT stays out of the block
		{"mail.{pkey}", "MX", []record.Record{mx}},
		{"rel.{pkey}", "A", []record.Record{relative}},
		{"www.sub.{pkey}", "A", []record.Record{edA}}, // the shadow record stays hidden
		{"www.{edkey}", "A", []record.Record{edA}},
	}
	return labels, lookups
}

// checkForgedBlock stores a hush block with one flipped signature bit and
// checks that GNUnet ignores it. Without this control, the other lookups
// would not show that GNUnet checked hush's signatures.
func checkForgedBlock(t *testing.T, p *peer, pkey *zone.PrivateKey, now time.Time) {
	forged := record.Record{Expiration: record.ExpiresAt(now.Add(time.Hour)), Type: record.TypeA, Data: []byte{192, 0, 2, 66}}
	blk, err := record.SealSet(pkey, "forged", []record.Record{forged}, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw := blk.Marshal()
	raw[50] ^= 1 // inside the signature
	socket := filepath.Join(p.home, "run", "gnunet-service-namecache.sock")
	if err := cacheBlock(socket, zone.MicrosFromTime(blk.Expiration), raw, 5*time.Second); err != nil {
		t.Skipf("GNUnet's namecache did not store the block (environment problem, not a hush mismatch): %v", err)
	}
	out, _ := p.run("gnunet-gns", "-u", "forged."+pkey.Public().String(), "-t", "A", "-T", "2s")
	if strings.Contains(out, "192.0.2.66") {
		t.Logf("NOTE: GNUnet resolved a block with a forged signature, so the lookups above do not show that it checks hush's signatures:\n%s", out)
	}
}

// typedData returns records as "TYPE HEXDATA", sorted, the form
// parseLookupOutput returns.
func typedData(records []record.Record) []string {
	var out []string
	for _, r := range records {
		out = append(out, r.Type.String()+" "+hex.EncodeToString(r.Data))
	}
	slices.Sort(out)
	return out
}

// dnsName encodes an ASCII name in DNS wire format.
func dnsName(name string) []byte {
	var out []byte
	for _, label := range strings.Split(name, ".") {
		out = append(out, byte(len(label)))
		out = append(out, label...)
	}
	return append(out, 0)
}
