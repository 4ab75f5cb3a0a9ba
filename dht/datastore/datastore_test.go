package datastore

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/store"
)

var now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// stores returns a fresh store of each implementation with quota bytes.
func stores(t *testing.T, quota int64) map[string]Datastore {
	t.Helper()
	mem, err := NewMemory(quota)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bs, err := NewBolt(db, quota)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Datastore{"memory": mem, "bolt": bs}
}

func rec(key byte, ident byte, data string, expires time.Time) Record {
	r := Record{Type: block.TypeTest, Expires: expires, Data: []byte(data)}
	r.Key[0] = key
	r.Identity[0] = ident
	return r
}

func all(t *testing.T, s Datastore, key byte, at time.Time) []Record {
	t.Helper()
	var k block.Key
	k[0] = key
	var out []Record
	if err := s.Get(k, block.TypeAny, at, func(r Record) bool { out = append(out, r); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustPut(t *testing.T, s Datastore, r Record) bool {
	t.Helper()
	ok, err := s.Put(now, r)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestPutGet(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		r := rec(1, 1, "a", now.Add(time.Hour))
		r.PutPath = []wire.PathEntry{{Signature: [64]byte{9}}}
		r.Truncated = true
		r.TruncatedOrigin[0] = 5
		if !mustPut(t, s, r) {
			t.Fatalf("%s: record not stored", name)
		}
		got := all(t, s, 1, now)
		if len(got) != 1 || string(got[0].Data) != "a" || !got[0].Expires.Equal(r.Expires) {
			t.Fatalf("%s: got %+v", name, got)
		}
		if len(got[0].PutPath) != 1 || got[0].PutPath[0].Signature[0] != 9 || !got[0].Truncated || got[0].TruncatedOrigin[0] != 5 {
			t.Fatalf("%s: path not kept: %+v", name, got[0])
		}
	}
}

func TestOlderVersionNotStored(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		mustPut(t, s, rec(1, 1, "new", now.Add(2*time.Hour)))
		if mustPut(t, s, rec(1, 1, "old", now.Add(time.Hour))) {
			t.Errorf("%s: older version replaced newer", name)
		}
		if mustPut(t, s, rec(1, 1, "same", now.Add(2*time.Hour))) {
			t.Errorf("%s: version with equal expiry replaced stored one", name)
		}
		if got := all(t, s, 1, now); len(got) != 1 || string(got[0].Data) != "new" {
			t.Errorf("%s: got %+v", name, got)
		}
	}
}

func TestNewerVersionReplaces(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		mustPut(t, s, rec(1, 1, "old", now.Add(time.Hour)))
		if !mustPut(t, s, rec(1, 1, "new", now.Add(2*time.Hour))) {
			t.Errorf("%s: newer version rejected", name)
		}
		if got := all(t, s, 1, now); len(got) != 1 || string(got[0].Data) != "new" {
			t.Errorf("%s: got %+v", name, got)
		}
		if st := s.Stats(); st.Records != 1 {
			t.Errorf("%s: %d records", name, st.Records)
		}
	}
}

func TestDistinctIdentitiesCoexist(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		mustPut(t, s, rec(1, 1, "a", now.Add(time.Hour)))
		mustPut(t, s, rec(1, 2, "b", now.Add(time.Hour)))
		if got := all(t, s, 1, now); len(got) != 2 {
			t.Errorf("%s: %d records, expected 2", name, len(got))
		}
	}
}

func TestExpiryZeroNotStored(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		if mustPut(t, s, rec(1, 1, "a", time.Unix(0, 0))) {
			t.Errorf("%s: record with expiry 0 stored", name)
		}
		if mustPut(t, s, rec(1, 1, "a", time.Time{})) {
			t.Errorf("%s: record with zero time stored", name)
		}
	}
}

func TestLargestExpiryKept(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		r := rec(1, 1, "a", wire.MicrosToTime(^uint64(0)))
		if !mustPut(t, s, r) {
			t.Fatalf("%s: record with largest expiry rejected", name)
		}
		if n, _ := s.Sweep(now.AddDate(1000, 0, 0)); n != 0 {
			t.Errorf("%s: sweep removed a record that never expires", name)
		}
		if mustPut(t, s, rec(1, 1, "b", wire.MicrosToTime(^uint64(0)))) {
			t.Errorf("%s: equal largest expiry replaced the record", name)
		}
	}
}

func TestSweepRemovesExpired(t *testing.T) {
	for name, s := range stores(t, 1<<20) {
		mustPut(t, s, rec(1, 1, "a", now.Add(time.Minute)))
		mustPut(t, s, rec(2, 1, "b", now.Add(time.Hour)))
		if got := all(t, s, 1, now.Add(2*time.Minute)); len(got) != 0 {
			t.Errorf("%s: Get returned an expired record", name)
		}
		n, err := s.Sweep(now.Add(2 * time.Minute))
		if err != nil || n != 1 {
			t.Errorf("%s: sweep removed %d (%v), expected 1", name, n, err)
		}
		if st := s.Stats(); st.Records != 1 {
			t.Errorf("%s: %d records left", name, st.Records)
		}
	}
}

func TestFullQuotaEvictsSoonestExpiring(t *testing.T) {
	size := (&Record{Data: []byte("a")}).Size()
	for name, s := range stores(t, 2*size) {
		mustPut(t, s, rec(1, 1, "a", now.Add(time.Hour)))
		mustPut(t, s, rec(2, 1, "b", now.Add(3*time.Hour)))
		if !mustPut(t, s, rec(3, 1, "c", now.Add(2*time.Hour))) {
			t.Fatalf("%s: record rejected though an earlier one could go", name)
		}
		if len(all(t, s, 1, now)) != 0 {
			t.Errorf("%s: soonest-expiring record not evicted", name)
		}
		if len(all(t, s, 2, now)) != 1 || len(all(t, s, 3, now)) != 1 {
			t.Errorf("%s: wrong record evicted", name)
		}
	}
}

func TestFullQuotaRejectsSoonerRecord(t *testing.T) {
	size := (&Record{Data: []byte("a")}).Size()
	for name, s := range stores(t, 2*size) {
		mustPut(t, s, rec(1, 1, "a", now.Add(2*time.Hour)))
		mustPut(t, s, rec(2, 1, "b", now.Add(3*time.Hour)))
		if mustPut(t, s, rec(3, 1, "c", now.Add(time.Hour))) {
			t.Errorf("%s: record expiring soonest evicted a later one", name)
		}
		if st := s.Stats(); st.Records != 2 || st.Bytes != 2*size {
			t.Errorf("%s: stats %+v", name, st)
		}
	}
}

func TestRecordLargerThanQuota(t *testing.T) {
	for name, s := range stores(t, 100) {
		if mustPut(t, s, rec(1, 1, "a", now.Add(time.Hour))) {
			t.Errorf("%s: record larger than the quota stored", name)
		}
	}
}

func TestBoltReopenKeepsAccounting(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName)
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewBolt(db, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, rec(1, 1, "a", now.Add(time.Hour)))
	want := s.Stats()
	db.Close()
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err = NewBolt(db, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Stats(); got != want {
		t.Fatalf("stats after reopen %+v, expected %+v", got, want)
	}
}

func TestZeroQuotaRejected(t *testing.T) {
	if _, err := NewMemory(0); err == nil {
		t.Fatal("NewMemory accepted quota 0")
	}
}
