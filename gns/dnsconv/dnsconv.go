// Package dnsconv converts between GNS records and DNS resource records
// (github.com/miekg/dns) for the types both systems share: A, AAAA, CNAME,
// NS, PTR, MX, SRV, TXT and TLSA. GNS keeps names in record data
// uncompressed and MX and SRV in GNUnet's layout, so the conversion goes
// through the text forms of package record. A GNS REDIRECT becomes a
// CNAME when its target is a plain DNS name.
package dnsconv

import (
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/hush-overlay/hush/gns/record"
)

// maxTTL caps TTLs handed to DNS clients: a day, because GNS records
// often never expire and DNS caches should still come back.
const maxTTL = 24 * time.Hour

// ToRR returns r as a DNS record owned by name (a fully qualified name with
// trailing dot), with a TTL of the time left until r expires at now. ok is
// false for types DNS cannot carry.
func ToRR(name string, r record.Record, now time.Time) (rr dns.RR, ok bool) {
	hdr := dns.RR_Header{Name: name, Rrtype: uint16(r.Type), Class: dns.ClassINET, Ttl: ttl(r, now)}
	switch r.Type {
	case record.TypeA, record.TypeAAAA:
		return addressRR(hdr, r.Data)
	case record.TypeTXT:
		return &dns.TXT{Hdr: hdr, Txt: splitTXT(string(r.Data))}, true
	case record.TypeREDIRECT:
		return redirectRR(hdr, string(r.Data))
	}
	text, err := record.FormatValue(r.Type, r.Data)
	if err != nil || r.Type >= 65536 {
		return nil, false
	}
	return textRR(hdr, r.Type, text)
}

func ttl(r record.Record, now time.Time) uint32 {
	left := r.ExpiresAt(now).Sub(now)
	left = max(min(left, maxTTL), 0)
	return uint32(left / time.Second)
}

func addressRR(hdr dns.RR_Header, data []byte) (dns.RR, bool) {
	switch {
	case hdr.Rrtype == dns.TypeA && len(data) == net.IPv4len:
		return &dns.A{Hdr: hdr, A: net.IP(data)}, true
	case hdr.Rrtype == dns.TypeAAAA && len(data) == net.IPv6len:
		return &dns.AAAA{Hdr: hdr, AAAA: net.IP(data)}, true
	}
	return nil, false
}

// splitTXT cuts text into the 255-byte strings of a DNS TXT record.
func splitTXT(text string) []string {
	var out []string
	for len(text) > 255 {
		out = append(out, text[:255])
		text = text[255:]
	}
	return append(out, text)
}

// redirectRR turns a REDIRECT to a DNS name into a CNAME. Relative targets
// ("name.+") and zTLD names mean nothing to a DNS client.
func redirectRR(hdr dns.RR_Header, target string) (dns.RR, bool) {
	if strings.HasSuffix(target, "+") || !validName(target) {
		return nil, false
	}
	hdr.Rrtype = dns.TypeCNAME
	return &dns.CNAME{Hdr: hdr, Target: dns.Fqdn(target)}, true
}

func validName(name string) bool {
	_, ok := dns.IsDomainName(name)
	return ok
}

// textRR builds the remaining types from GNS text forms, which differ from
// DNS presentation format only for MX ("PREFERENCE,HOST").
func textRR(hdr dns.RR_Header, t record.Type, text string) (dns.RR, bool) {
	if t == record.TypeMX {
		text = strings.Replace(text, ",", " ", 1)
	}
	switch t {
	case record.TypeCNAME, record.TypeNS, record.TypePTR, record.TypeMX, record.TypeSRV:
		text = fqdnLast(text)
	case record.TypeTLSA:
	default:
		return nil, false
	}
	rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", hdr.Name, hdr.Ttl, t, text))
	return rr, err == nil && rr != nil
}

// fqdnLast adds the trailing dot to the last field, a host name.
func fqdnLast(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return text
	}
	f[len(f)-1] = dns.Fqdn(f[len(f)-1])
	return strings.Join(f, " ")
}

// FromRR returns a DNS answer as a GNS record that expires after the
// record's TTL from now. ok is false for types GNS does not carry.
func FromRR(rr dns.RR, now time.Time) (r record.Record, ok bool) {
	data, ok := rrData(rr)
	if !ok {
		return record.Record{}, false
	}
	exp := now.Add(time.Duration(rr.Header().Ttl) * time.Second)
	return record.Record{Type: record.Type(rr.Header().Rrtype), Data: data, Expiration: record.ExpiresAt(exp)}, true
}

func rrData(rr dns.RR) ([]byte, bool) {
	var t record.Type
	var text string
	switch v := rr.(type) {
	case *dns.A:
		return append([]byte(nil), v.A.To4()...), v.A.To4() != nil
	case *dns.AAAA:
		return append([]byte(nil), v.AAAA.To16()...), true
	case *dns.TXT:
		return []byte(strings.Join(v.Txt, "")), true
	case *dns.CNAME:
		t, text = record.TypeCNAME, v.Target
	case *dns.NS:
		t, text = record.TypeNS, v.Ns
	case *dns.PTR:
		t, text = record.TypePTR, v.Ptr
	case *dns.MX:
		t, text = record.TypeMX, fmt.Sprintf("%d,%s", v.Preference, v.Mx)
	case *dns.SRV:
		t, text = record.TypeSRV, fmt.Sprintf("%d %d %d %s", v.Priority, v.Weight, v.Port, v.Target)
	case *dns.TLSA:
		t, text = record.TypeTLSA, fmt.Sprintf("%d %d %d %s", v.Usage, v.Selector, v.MatchingType, v.Certificate)
	default:
		return nil, false
	}
	data, err := record.ParseValue(t, text)
	return data, err == nil && len(data) <= math.MaxUint16
}
