package record

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

var testNow = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

func rec(t Type, flags Flags, exp time.Time, data string) Record {
	return Record{Expiration: ExpiresAt(exp), Type: t, Flags: flags, Data: []byte(data)}
}

func TestSetPadding(t *testing.T) {
	a := rec(TypeA, 0, testNow, "abcd")
	cases := []struct {
		name    string
		records []Record
		size    int
	}{
		{"empty", nil, 0},
		{"one A", []Record{a}, 32},
		{"power of two", []Record{rec(TypeTXT, 0, testNow, string(make([]byte, 16)))}, 32},
		{"two A", []Record{a, a}, 64},
		{"three A", []Record{a, a, a}, 64},
		{"PKEY first", []Record{rec(TypePKEY, FlagCritical, testNow, string(make([]byte, 32)))}, 48},
		{"EDKEY first", []Record{rec(TypeEDKEY, FlagCritical, testNow, string(make([]byte, 32))), a}, 68},
		{"PKEY second", []Record{a, rec(TypePKEY, 0, testNow, string(make([]byte, 32)))}, 128},
	}
	for _, c := range cases {
		rdata, err := MarshalSet(c.records)
		if err != nil {
			t.Fatal(err)
		}
		if len(rdata) != c.size || SetSize(c.records) != c.size {
			t.Errorf("%s: RDATA has %d bytes (SetSize %d), expected %d", c.name, len(rdata), SetSize(c.records), c.size)
		}
		back, err := ParseSet(rdata)
		if err != nil || len(back) != len(c.records) {
			t.Errorf("%s: ParseSet = %d records, %v, expected %d", c.name, len(back), err, len(c.records))
		}
	}
}

func TestParseSetRejectsTruncatedData(t *testing.T) {
	rdata, _ := MarshalSet([]Record{rec(TypeTXT, 0, testNow, "hello, world")})
	rdata = rdata[:headerSize+5]
	if _, err := ParseSet(rdata); !errors.Is(err, ErrInvalidSet) {
		t.Errorf("ParseSet of a cut record = %v, expected ErrInvalidSet", err)
	}
}

func TestMarshalSetRejectsHugeData(t *testing.T) {
	big := Record{Type: TypeTXT, Data: make([]byte, MaxDataSize+1)}
	if _, err := MarshalSet([]Record{big}); !errors.Is(err, ErrInvalidSet) {
		t.Errorf("MarshalSet with %d bytes of data = %v, expected ErrInvalidSet", len(big.Data), err)
	}
}

func TestRecordExpiration(t *testing.T) {
	abs := rec(TypeA, 0, testNow.Add(time.Hour), "abcd")
	rel := Record{Expiration: ExpiresAfter(2 * time.Hour), Type: TypeA, Flags: FlagRelativeExpiration}
	if abs.IsExpired(testNow) || !abs.IsExpired(testNow.Add(time.Hour)) {
		t.Error("absolute expiration is not checked against now")
	}
	if rel.IsExpired(testNow.Add(1000 * time.Hour)) {
		t.Error("a relative expiration counts as expired")
	}
	if got := rel.ExpiresAt(testNow); !got.Equal(testNow.Add(2 * time.Hour)) {
		t.Errorf("relative ExpiresAt = %v, expected now + 2h", got)
	}
	a := rel.Absolute(testNow)
	if a.IsRelative() || !a.Expiration.Time().Equal(testNow.Add(2*time.Hour)) {
		t.Errorf("Absolute = %+v", a)
	}
	if never := (Record{Expiration: Never, Flags: FlagRelativeExpiration}); !never.ExpiresAt(testNow).Equal(zone.Forever) {
		t.Error("a relative Never does not saturate at Forever")
	}
}

// RFC 9498, section "Resource Records", flag SHADOW: a shadow record is used only once the
// non-shadow records of its type have expired.
func TestActiveShadowRecords(t *testing.T) {
	old := rec(TypeA, 0, testNow.Add(time.Hour), "old!")
	shadow := rec(TypeA, FlagShadow, testNow.Add(48*time.Hour), "new!")
	txt := rec(TypeTXT, 0, testNow.Add(time.Hour), "text")
	set := []Record{old, shadow, txt}

	got := Active(set, testNow)
	if len(got) != 2 || string(got[0].Data) != "old!" || string(got[1].Data) != "text" {
		t.Errorf("Active before expiry = %+v, expected the old A and the TXT", got)
	}
	got = Active(set, testNow.Add(2*time.Hour))
	if len(got) != 1 || string(got[0].Data) != "new!" {
		t.Errorf("Active after expiry = %+v, expected the shadow A only", got)
	}
	if got := Active(set, testNow.Add(100*time.Hour)); len(got) != 0 {
		t.Errorf("Active after all expired = %+v", got)
	}
}

func TestBlockExpiration(t *testing.T) {
	h := func(n int) time.Time { return testNow.Add(time.Duration(n) * time.Hour) }
	cases := []struct {
		name    string
		records []Record
		want    time.Time
	}{
		{"empty", nil, testNow},
		{"minimum", []Record{rec(TypeA, 0, h(5), ""), rec(TypeTXT, 0, h(3), "")}, h(3)},
		{"shadow extends its type", []Record{rec(TypeA, 0, h(1), ""), rec(TypeA, FlagShadow, h(9), ""), rec(TypeTXT, 0, h(4), "")}, h(4)},
		{"shadow of another type", []Record{rec(TypeA, 0, h(1), ""), rec(TypeTXT, FlagShadow, h(9), "")}, h(1)},
		{"relative", []Record{{Expiration: ExpiresAfter(2 * time.Hour), Type: TypeA, Flags: FlagRelativeExpiration}}, h(2)},
		{"never", []Record{{Expiration: Never, Type: TypeA}}, zone.Forever},
	}
	for _, c := range cases {
		if got := BlockExpiration(c.records, testNow); !got.Equal(c.want) {
			t.Errorf("%s: BlockExpiration = %v, expected %v", c.name, got, c.want)
		}
	}
}

func testZone(t *testing.T) *zone.PrivateKey {
	t.Helper()
	p, err := zone.GeneratePKEY(bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSealSetPublishesPublicRecords(t *testing.T) {
	priv := testZone(t)
	records := []Record{
		rec(TypeA, 0, testNow.Add(time.Hour), "\xc0\x00\x02\x01"),
		rec(TypeA, FlagPrivate, testNow.Add(time.Hour), "\xc0\x00\x02\x02"),
		rec(TypeA, 0, testNow.Add(-time.Hour), "\xc0\x00\x02\x03"),
		{Expiration: ExpiresAfter(24 * time.Hour), Type: TypeTXT, Flags: FlagRelativeExpiration, Data: []byte("rel")},
	}
	blk, err := SealSet(priv, "www", records, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := blk.Verify(); err != nil {
		t.Fatal(err)
	}
	got, err := OpenBlock(blk, priv.Public(), "www")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Data[3] != 1 || string(got[1].Data) != "rel" || got[1].IsRelative() {
		t.Fatalf("published records = %+v, expected the public A and the TXT made absolute", got)
	}
	limit := testNow.Add(time.Hour)
	if blk.Expiration.After(limit) || blk.Expiration.Before(limit.Add(-maxExpirationOffset*time.Microsecond)) {
		t.Errorf("block expiration %v is not within the offset window before %v", blk.Expiration, limit)
	}
}

// A changed record set must never reuse the previous block's expiration,
// because the keystream depends only on the zone, label and expiration.
func TestSealSetNeverReusesExpiration(t *testing.T) {
	priv := testZone(t)
	exp := testNow.Add(time.Hour)
	first := []Record{rec(TypeA, 0, exp, "\xc0\x00\x02\x01")}
	prev, err := SealSet(priv, "www", first, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	same, err := SealSet(priv, "www", first, testNow.Add(time.Minute), prev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(same.Marshal(), prev.Marshal()) {
		t.Error("the same record set sealed again gives another block")
	}
	seen := map[uint64][]byte{zone.MicrosFromTime(prev.Expiration): prev.Data}
	for i := range 200 {
		records := append(first, rec(TypeTXT, 0, exp.Add(time.Duration(i+1)*time.Hour), "v"))
		records[1].Data = []byte{byte(i)}
		blk, err := SealSet(priv, "www", records, testNow, prev)
		if err != nil {
			t.Fatal(err)
		}
		us := zone.MicrosFromTime(blk.Expiration)
		if us == zone.MicrosFromTime(prev.Expiration) {
			t.Fatalf("version %d reuses the previous expiration %v", i, blk.Expiration)
		}
		if _, dup := seen[us]; dup {
			t.Fatalf("version %d reuses the expiration of an older version", i)
		}
		seen[us] = blk.Data
		prev = blk
	}
}

// When the keyed offset happens to land on the previous block's
// expiration, SealSet moves one microsecond earlier.
func TestSealSetAvoidsPreviousExpiration(t *testing.T) {
	priv := testZone(t)
	records := []Record{rec(TypeA, 0, testNow.Add(time.Hour), "\xc0\x00\x02\x01")}
	blk, err := SealSet(priv, "www", records, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	rdata, _ := MarshalSet(records)
	other, err := zone.SealBlock(priv, "www", append(bytes.Clone(rdata[:len(rdata)-1]), 1), blk.Expiration)
	if err != nil {
		t.Fatal(err)
	}
	again, err := SealSet(priv, "www", records, testNow, other)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Expiration.Equal(blk.Expiration.Add(-time.Microsecond)) {
		t.Errorf("expiration = %v, expected %v", again.Expiration, blk.Expiration.Add(-time.Microsecond))
	}
}
