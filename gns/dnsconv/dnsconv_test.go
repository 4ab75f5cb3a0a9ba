package dnsconv

import (
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/hush-overlay/hush/gns/record"
)

var now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func gnsRecord(t *testing.T, typ record.Type, value string) record.Record {
	t.Helper()
	data, err := record.ParseValue(typ, value)
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{Type: typ, Data: data, Expiration: record.ExpiresAt(now.Add(time.Hour))}
}

func TestToRRAndBack(t *testing.T) {
	cases := []struct {
		typ   record.Type
		value string
		want  string
	}{
		{record.TypeA, "192.0.2.1", "192.0.2.1"},
		{record.TypeAAAA, "2001:db8::1", "2001:db8::1"},
		{record.TypeTXT, "hello world", `"hello world"`},
		{record.TypeMX, "10,mail.example.com", "10 mail.example.com."},
		{record.TypeSRV, "1 2 5060 sip.example.com", "1 2 5060 sip.example.com."},
		{record.TypeCNAME, "www.example.com", "www.example.com."},
		{record.TypeTLSA, "3 0 1 abcd", "3 0 1 abcd"},
	}
	for _, c := range cases {
		r := gnsRecord(t, c.typ, c.value)
		rr, ok := ToRR("x.gnu.", r, now)
		if !ok {
			t.Errorf("%s %s: not converted", c.typ, c.value)
			continue
		}
		if got := rr.String(); rr.Header().Ttl != 3600 || !containsField(got, c.want) {
			t.Errorf("%s: RR %q, expected TTL 3600 and %q", c.typ, got, c.want)
		}
		back, ok := FromRR(rr, now)
		if !ok || back.Type != r.Type || string(back.Data) != string(r.Data) {
			t.Errorf("%s: back to GNS as %+v, expected %+v", c.typ, back, r)
		}
	}
}

func containsField(s, want string) bool {
	return len(s) >= len(want) && s[len(s)-len(want):] == want
}

func TestToRRRedirect(t *testing.T) {
	r := gnsRecord(t, record.TypeREDIRECT, "www.example.org")
	rr, ok := ToRR("x.gnu.", r, now)
	if cname, isCNAME := rr.(*dns.CNAME); !ok || !isCNAME || cname.Target != "www.example.org." {
		t.Errorf("REDIRECT to DNS as %v, expected a CNAME", rr)
	}
	if _, ok := ToRR("x.gnu.", gnsRecord(t, record.TypeREDIRECT, "www.+"), now); ok {
		t.Error("relative REDIRECT converted")
	}
}

func TestToRRSkipsGNSTypes(t *testing.T) {
	if _, ok := ToRR("x.gnu.", gnsRecord(t, record.TypeNICK, "bob"), now); ok {
		t.Error("NICK converted to DNS")
	}
}

func TestToRRLongTXT(t *testing.T) {
	long := make([]byte, 600)
	for i := range long {
		long[i] = 'a'
	}
	rr, _ := ToRR("x.gnu.", record.Record{Type: record.TypeTXT, Data: long, Expiration: record.Never}, now)
	txt := rr.(*dns.TXT)
	if len(txt.Txt) != 3 || txt.Hdr.Ttl != uint32(maxTTL/time.Second) {
		t.Errorf("600-byte TXT as %d strings with TTL %d", len(txt.Txt), txt.Hdr.Ttl)
	}
}

// FuzzToRR converts arbitrary record data of every shared type and checks
// that nothing panics and that whatever converts also packs as DNS wire
// data.
func FuzzToRR(f *testing.F) {
	f.Add(uint32(record.TypeA), []byte{192, 0, 2, 1})
	f.Add(uint32(record.TypeMX), []byte{0, 10, 4, 'm', 'a', 'i', 'l', 0})
	f.Add(uint32(record.TypeSRV), []byte{0, 1, 0, 2, 0x13, 0xc4, 3, 's', 'i', 'p', 0})
	f.Add(uint32(record.TypeREDIRECT), []byte("www.example.org"))
	f.Add(uint32(record.TypeTLSA), []byte{3, 0, 1, 0xab})
	f.Fuzz(func(t *testing.T, typ uint32, data []byte) {
		r := record.Record{Type: record.Type(typ), Data: data, Expiration: record.Never}
		rr, ok := ToRR("x.gnu.", r, now)
		if !ok {
			return
		}
		buf := make([]byte, 65535)
		if _, err := dns.PackRR(rr, buf, 0, nil, false); err != nil {
			t.Fatalf("%s record %x converted to %v, which does not pack: %v", r.Type, data, rr, err)
		}
	})
}
