package namestore

import (
	"bytes"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/store"
)

func openStore(t *testing.T, path string) (*Store, *bolt.DB) {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func newZone(t *testing.T) zone.PublicKey {
	t.Helper()
	k, err := zone.GenerateEDKEY(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public()
}

func mustRecord(t *testing.T, typ, value, exp, flags string) Record {
	t.Helper()
	r, err := gns.ParseRecord(typ, value, exp, flags)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStorePersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	s, db := openStore(t, path)
	zk := newZone(t)
	a := mustRecord(t, "A", "192.0.2.1", "1d", "-")
	txt := mustRecord(t, "TXT", "hello world", "never", "private")
	if err := s.Add(zk, "www", a, txt); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, db = openStore(t, path)
	defer db.Close()
	got, err := s.Lookup(zk, "WWW")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[0].Data, a.Data) || got[1].Flags != txt.Flags {
		t.Fatalf("after reopen: %+v, expected the A and TXT records", got)
	}
	if !got[0].IsRelative() || got[0].Expiration != a.Expiration {
		t.Errorf("A record expiration %v relative=%v, expected relative 1d", got[0].Expiration, got[0].IsRelative())
	}
	zones, _ := s.Zones()
	if len(zones) != 1 || !zones[0].Equal(zk) {
		t.Errorf("Zones = %v, expected [%s]", zones, zk)
	}
}

func TestStoreRejectsDuplicate(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	a := mustRecord(t, "A", "192.0.2.1", "1d", "-")
	if err := s.Add(zk, "www", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(zk, "www", a); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second add: %v, expected ErrDuplicate", err)
	}
}

func TestStoreDeleteByTypeAndValue(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	a1 := mustRecord(t, "A", "192.0.2.1", "1d", "-")
	a2 := mustRecord(t, "A", "192.0.2.2", "1d", "-")
	txt := mustRecord(t, "TXT", "x", "1d", "-")
	if err := s.Add(zk, "www", a1, a2, txt); err != nil {
		t.Fatal(err)
	}
	n, err := s.Delete(zk, "www", Match{Type: record.TypeA, Data: a2.Data})
	if err != nil || n != 1 {
		t.Fatalf("delete one A: %d, %v", n, err)
	}
	n, err = s.Delete(zk, "www", Match{})
	if err != nil || n != 2 {
		t.Fatalf("delete all: %d, %v", n, err)
	}
	if _, err := s.Delete(zk, "www", Match{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete from empty label: %v, expected ErrNotFound", err)
	}
	sets, _ := s.List(zk)
	if len(sets) != 0 {
		t.Errorf("List after deleting everything: %v", sets)
	}
}

func TestStoreSetRules(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	deleg := mustRecord(t, "EDKEY", newZone(t).String(), "1d", "-")
	if err := s.Add(zk, "@", deleg); err == nil {
		t.Error("delegation at the apex was accepted")
	}
	if err := s.Add(zk, "friend", deleg, mustRecord(t, "A", "192.0.2.1", "1d", "-")); err == nil {
		t.Error("delegation next to an A record was accepted")
	}
	if err := s.Add(zk, "friend", deleg, mustRecord(t, "NICK", "bob", "1d", "supplemental")); err != nil {
		t.Errorf("delegation with a supplemental NICK: %v", err)
	}
	if err := s.Add(zk, "r", mustRecord(t, "REDIRECT", "www.+", "1d", "-"), mustRecord(t, "TXT", "x", "1d", "-")); err == nil {
		t.Error("REDIRECT next to a TXT record was accepted")
	}
	sets, _ := s.List(zk)
	if len(sets) != 1 || sets[0].Label != "friend" {
		t.Errorf("List = %v, expected only the valid friend label", sets)
	}
}

func TestStoreWatchSeesCommits(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	var changes []Change
	s.Watch(func(c Change) { changes = append(changes, c) })
	zk := newZone(t)
	a := mustRecord(t, "A", "192.0.2.1", "1d", "-")
	s.Add(zk, "www", a)
	s.Add(zk, "www", a) // fails: no change reported
	s.Delete(zk, "www", Match{})
	if len(changes) != 2 || changes[0].Label != "www" || !changes[1].Zone.Equal(zk) {
		t.Errorf("changes = %+v, expected two for www", changes)
	}
}

const sampleZone = `# sample zone
www	A	1d	-	192.0.2.1
www	AAAA	1d	shadow	2001:db8::1
@	TXT	never	private,critical	hello  world
mail	MX	2030-01-01T00:00:00Z	-	10,mail.example.com
`

func TestZoneFileRoundTrip(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	if err := s.Import(zk, strings.NewReader(sampleZone), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.Export(zk, &out); err != nil {
		t.Fatal(err)
	}
	other := newZone(t)
	if err := s.Import(other, bytes.NewReader(out.Bytes()), ImportOptions{}); err != nil {
		t.Fatalf("reimport of %q: %v", out.String(), err)
	}
	var again bytes.Buffer
	s.Export(other, &again)
	if again.String() != out.String() {
		t.Errorf("export differs after reimport:\n%s\nvs\n%s", out.String(), again.String())
	}
	if !strings.Contains(out.String(), "@\tTXT\tnever\tprivate,critical\thello  world\n") {
		t.Errorf("export lacks the apex TXT line:\n%s", out.String())
	}
}

func TestZoneFileErrorsNameField(t *testing.T) {
	cases := []struct{ line, want string }{
		{"www A 1d - 300.1.1.1", "line 1: gns: value"},
		{"www BOGUS 1d - x", "line 1: gns: type"},
		{"www A soon - 192.0.2.1", "expiration \"soon\""},
		{"www A 1d loud 192.0.2.1", "flags \"loud\""},
		{"a.b A 1d - 192.0.2.1", "line 1: label"},
		{"www A 1d", "found 3 fields"},
	}
	for _, c := range cases {
		_, err := ParseZoneFile(strings.NewReader(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, expected one containing %q", c.line, err, c.want)
		}
	}
}

func TestImportIsAtomic(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	bad := sampleZone + "friend EDKEY 1d - " + newZone(t).String() + "\nfriend A 1d - 192.0.2.9\n"
	if err := s.Import(zk, strings.NewReader(bad), ImportOptions{}); err == nil {
		t.Fatal("import of a conflicting set succeeded")
	}
	sets, _ := s.List(zk)
	if len(sets) != 0 {
		t.Errorf("failed import left %d labels", len(sets))
	}
}

func TestImportReplace(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	s.Import(zk, strings.NewReader(sampleZone), ImportOptions{})
	if err := s.Import(zk, strings.NewReader("www A 1h - 192.0.2.7\n"), ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	sets, _ := s.List(zk)
	if len(sets) != 1 || len(sets[0].Records) != 1 {
		t.Errorf("after replace: %+v, expected one label with one record", sets)
	}
}

func FuzzParseZoneFile(f *testing.F) {
	f.Add(sampleZone)
	f.Add("www A 1d - 192.0.2.1")
	f.Add("x TXT 1w2d3h4m5s shadow,supplemental a b c")
	f.Add("@ SRV never - 0 0 5060 sip.example.com")
	f.Fuzz(func(t *testing.T, text string) {
		sets, err := ParseZoneFile(strings.NewReader(text))
		if err != nil {
			return
		}
		var out bytes.Buffer
		for _, set := range sets {
			for _, r := range set.Records {
				if err := writeZoneLine(&out, set.Label, r); err != nil {
					return // values with line breaks cannot be exported
				}
			}
		}
		again, err := ParseZoneFile(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("reparse of %q: %v", out.String(), err)
		}
		if len(again) != len(sets) {
			t.Fatalf("reparse gave %d labels, expected %d", len(again), len(sets))
		}
	})
}

func FuzzDecodeSet(f *testing.F) {
	f.Add(encodeSet([]Record{{Type: record.TypeA, Data: []byte{1, 2, 3, 4}, Expiration: 5}}))
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := decodeSet(b)
		if err != nil {
			return
		}
		if enc := encodeSet(set); !bytes.Equal(enc, b) && b != nil {
			t.Fatalf("round trip changed %x to %x", b, enc)
		}
		for i := range b {
			if _, err := decodeSet(b[:i]); err == nil && i > 0 {
				t.Fatalf("prefix of %d bytes decoded without error", i)
			}
		}
	})
}

func TestStoreInfosAndParseMatch(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	s.Import(zk, strings.NewReader(sampleZone), ImportOptions{})
	infos, err := s.Infos(zk, "www")
	if err != nil || len(infos) != 2 || infos[0].Value != "192.0.2.1" || infos[1].Flags[0] != "shadow" {
		t.Fatalf("Infos(www) = %+v, %v", infos, err)
	}
	all, _ := s.Infos(zk, "")
	if len(all) != 4 {
		t.Errorf("Infos of the zone: %d records, expected 4", len(all))
	}
	m, err := ParseMatch("AAAA", "2001:db8::1")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Delete(zk, "www", m); err != nil || n != 1 {
		t.Errorf("delete by parsed match: %d, %v", n, err)
	}
	if _, err := ParseMatch("", "192.0.2.1"); err == nil {
		t.Error("value without type accepted")
	}
}

func TestStoreDeleteZone(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk, other := newZone(t), newZone(t)
	s.Import(zk, strings.NewReader(sampleZone), ImportOptions{})
	s.Import(other, strings.NewReader(sampleZone), ImportOptions{})
	var changes []Change
	s.Watch(func(c Change) { changes = append(changes, c) })
	n, err := s.DeleteZone(zk)
	if err != nil || n != 3 {
		t.Fatalf("DeleteZone = %d, %v; expected 3 labels", n, err)
	}
	if len(changes) != 3 {
		t.Errorf("%d changes reported, expected 3", len(changes))
	}
	zones, _ := s.Zones()
	if len(zones) != 1 || !zones[0].Equal(other) {
		t.Errorf("zones after delete: %v", zones)
	}
	if n, err := s.DeleteZone(zk); err != nil || n != 0 {
		t.Errorf("second DeleteZone = %d, %v", n, err)
	}
}

func TestStoreRejectsSetTooLargeToPublish(t *testing.T) {
	s, db := openStore(t, filepath.Join(t.TempDir(), "hush.db"))
	defer db.Close()
	zk := newZone(t)
	big := strings.Repeat("x", 33000) // pads to 64 KiB, over the block limit
	rec, err := gns.ParseRecord("TXT", big, "1d", "-")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(zk, "big", rec); err == nil {
		t.Fatal("a record set too large for one block was accepted")
	}
	rec.Flags |= record.FlagPrivate
	if err := s.Add(zk, "big", rec); err != nil {
		t.Fatalf("a large private record was rejected: %v", err)
	}
}
