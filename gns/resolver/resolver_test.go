package resolver

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

func expectValues(t *testing.T, r Result, want ...string) {
	t.Helper()
	if r.Code != Found {
		t.Fatalf("%s: code %s (%v), expected found", r.Name, r.Code, r.Err)
	}
	got := values(t, r)
	if !slices.Equal(got, want) {
		t.Errorf("%s: records %q, expected %q", r.Name, got, want)
	}
}

func expectCode(t *testing.T, r Result, code Code, err error) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("%s: code %s (%v), expected %s", r.Name, r.Code, r.Err, code)
	}
	if err != nil && !errors.Is(r.Err, err) {
		t.Errorf("%s: error %v, expected %v", r.Name, r.Err, err)
	}
}

func TestResolveSimpleRecord(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"), rec(t, "TXT", "hi", "-"))
	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.1")
	expectValues(t, w.resolve("WWW.gnu.", TypeAny), "A 192.0.2.1", "TXT hi")
	expectValues(t, w.resolve("www."+root.Public().String(), record.TypeTXT), "TXT hi")
}

func TestResolveDelegationLevels(t *testing.T) {
	for _, typ := range []zone.KeyType{zone.TypeEDKEY, zone.TypePKEY} {
		t.Run(typ.String(), func(t *testing.T) {
			root := newKey(t, typ)
			w := newWorld(t, root, nil)
			zones := []*zone.PrivateKey{root, newKey(t, zone.TypePKEY), newKey(t, zone.TypeEDKEY), newKey(t, typ)}
			labels := []string{"a", "b", "c"}
			for i, label := range labels {
				w.publish(zones[i], label, delegation(t, zones[i+1]))
				w.publish(zones[i+1], "www", rec(t, "A", fmt.Sprintf("192.0.2.%d", i+1), "-"))
			}
			expectValues(t, w.resolve("www.a.gnu", record.TypeA), "A 192.0.2.1")
			expectValues(t, w.resolve("www.b.a.gnu", record.TypeA), "A 192.0.2.2")
			expectValues(t, w.resolve("www.c.b.a.gnu", record.TypeA), "A 192.0.2.3")
		})
	}
}

func TestResolveDelegationApex(t *testing.T) {
	root, friend := newKey(t, zone.TypeEDKEY), newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "friend", delegation(t, friend), rec(t, "NICK", "bob", "supplemental"))
	w.publish(friend, "@", rec(t, "A", "192.0.2.9", "-"))
	expectValues(t, w.resolve("friend.gnu", record.TypeA), "A 192.0.2.9")
	expectValues(t, w.resolve("friend.gnu", record.TypeEDKEY), "EDKEY "+friend.Public().String())
}

func TestResolveMissingLabel(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"))
	expectCode(t, w.resolve("nothing.gnu", record.TypeA), NotFound, nil)
	expectCode(t, w.resolve("sub.www.gnu", record.TypeA), NotFound, nil)
	r := w.resolve("www.gnu", record.TypeAAAA)
	expectCode(t, r, Found, nil)
	if len(r.Records) != 0 {
		t.Errorf("AAAA of an A-only name: %v", r.Records)
	}
}

func TestResolveNotGNS(t *testing.T) {
	w := newWorld(t, newKey(t, zone.TypeEDKEY), nil)
	expectCode(t, w.resolve("www.example.org", record.TypeA), NotGNS, nil)
	if w.dht.gets != 0 {
		t.Errorf("%d DHT lookups for a DNS name", w.dht.gets)
	}
}

func TestResolveRedirects(t *testing.T) {
	root, other := newKey(t, zone.TypeEDKEY), newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"))
	w.publish(root, "alias", rec(t, "REDIRECT", "www.+", "-"))
	w.publish(root, "far", rec(t, "REDIRECT", "host."+other.Public().String(), "-"))
	w.publish(other, "host", rec(t, "A", "192.0.2.7", "-"))
	w.publish(root, "out", rec(t, "REDIRECT", "www.example.org", "-"))
	w.publish(root, "sub", rec(t, "REDIRECT", "+", "-"))
	expectValues(t, w.resolve("alias.gnu", record.TypeA), "A 192.0.2.1")
	expectValues(t, w.resolve("far.gnu", record.TypeA), "A 192.0.2.7")
	expectValues(t, w.resolve("out.gnu", record.TypeA), "REDIRECT www.example.org")
	expectValues(t, w.resolve("alias.gnu", record.TypeREDIRECT), "REDIRECT www.+")
	expectValues(t, w.resolve("www.sub.gnu", record.TypeA), "A 192.0.2.1")
}

func TestResolveRedirectLoop(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "a", rec(t, "REDIRECT", "b.+", "-"))
	w.publish(root, "b", rec(t, "REDIRECT", "a.+", "-"))
	expectCode(t, w.resolve("a.gnu", record.TypeA), Failed, ErrLoop)
}

func TestResolveHopLimit(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, func(c *Config) { c.MaxHops = 4 })
	for i := range 10 {
		w.publish(root, fmt.Sprintf("r%d", i), rec(t, "REDIRECT", fmt.Sprintf("r%d.+", i+1), "-"))
	}
	expectCode(t, w.resolve("r0.gnu", record.TypeA), Failed, ErrTooManyHops)
	expectCode(t, w.resolve("r7.gnu", record.TypeA), NotFound, nil)
}

func TestResolveShadowRollover(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	old, _ := gns.ParseRecord("A", "192.0.2.1", "2030-01-01T01:00:00Z", "-")
	next, _ := gns.ParseRecord("A", "192.0.2.2", "2030-01-01T03:00:00Z", "shadow")
	w.publish(root, "www", old, next)
	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.1")
	w.sim.RunFor(2 * time.Hour)
	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.2")
	w.sim.RunFor(2 * time.Hour)
	expectCode(t, w.resolve("www.gnu", record.TypeA), NotFound, nil)
}

func TestResolveDropsBadBlocks(t *testing.T) {
	root, stranger := newKey(t, zone.TypeEDKEY), newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	good := w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"))
	q := good.Query()
	w.dht.blocks[q] = nil

	forged := good.Marshal()
	forged[50] ^= 1 // inside the signature
	tampered := good.Marshal()
	tampered[len(tampered)-1] ^= 1 // inside BDATA
	truncated := good.Marshal()[:len(forged)-3]
	foreign, _ := record.SealSet(stranger, "www", []record.Record{rec(t, "A", "198.51.100.1", "-")}, w.sim.Now(), nil)
	expired, _ := zone.SealBlock(root, "www", nil, w.sim.Now().Add(-time.Second))
	for _, b := range [][]byte{forged, tampered, truncated, foreign.Marshal(), expired.Marshal(), {1, 2, 3}} {
		w.dht.put(q, b)
	}
	expectCode(t, w.resolve("www.gnu", record.TypeA), NotFound, nil)

	w.dht.put(q, good.Marshal())
	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.1")
}

func TestResolveExpiredBlock(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	short, _ := gns.ParseRecord("A", "192.0.2.1", "1h", "-")
	w.publish(root, "www", short)
	w.sim.RunFor(2 * time.Hour)
	expectCode(t, w.resolve("www.gnu", record.TypeA), NotFound, nil)
}

func TestResolveCriticalUnknownType(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	unknown := record.Record{Type: 0xFFFF0001, Flags: record.FlagCritical, Data: []byte("x"), Expiration: record.Never}
	harmless := record.Record{Type: 0xFFFF0002, Data: []byte("y"), Expiration: record.Never}
	w.publish(root, "crit", rec(t, "A", "192.0.2.1", "-"), unknown)
	w.publish(root, "soft", rec(t, "A", "192.0.2.1", "-"), harmless)
	expectCode(t, w.resolve("crit.gnu", record.TypeA), Failed, ErrCritical)
	expectValues(t, w.resolve("soft.gnu", record.TypeA), "A 192.0.2.1")
}

func TestResolveBox(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "www",
		rec(t, "A", "192.0.2.1", "-"),
		rec(t, "BOX", "6 443 52 3 0 1 ABCD", "-"),
		rec(t, "BOX", "17 5060 16 sip over udp", "-"))
	expectValues(t, w.resolve("_443._tcp.www.gnu", record.TypeTLSA), "TLSA 3 0 1 abcd")
	expectValues(t, w.resolve("_https._tcp.www.gnu", TypeAny), "TLSA 3 0 1 abcd")
	expectValues(t, w.resolve("_5060._udp.www.gnu", record.TypeTXT), "TXT sip over udp")
	expectCode(t, w.resolve("_80._tcp.www.gnu", record.TypeTLSA), NotFound, nil)
}

func TestResolveTimeout(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.dht.silent = true
	start := w.sim.Now()
	r := w.resolve("www.gnu", record.TypeA)
	expectCode(t, r, Failed, ErrTimeout)
	if got := w.sim.Now().Sub(start); got != DefaultTimeout {
		t.Errorf("timed out after %v, expected %v", got, DefaultTimeout)
	}
}

func TestResolveCancel(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	var got []Result
	cancel := w.res.Resolve("www.gnu", record.TypeA, func(r Result) { got = append(got, r) })
	cancel()
	w.sim.RunFor(time.Minute)
	if len(got) != 1 || !errors.Is(got[0].Err, ErrCancelled) {
		t.Errorf("results after cancel: %+v, expected one cancelled", got)
	}
}

func TestResolveUsesCache(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"))
	w.resolve("www.gnu", record.TypeA)
	gets := w.dht.gets
	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.1")
	if w.dht.gets != gets {
		t.Errorf("second lookup asked the DHT again")
	}
}

func TestResolveLocalZone(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	private := rec(t, "TXT", "only for me", "private")
	w := newWorld(t, root, func(c *Config) {
		c.Local = func(zk zone.PublicKey, label string) ([]record.Record, bool) {
			if !zk.Equal(root.Public()) {
				return nil, false
			}
			if label == "home" {
				return []record.Record{private}, true
			}
			return nil, true
		}
	})
	expectValues(t, w.resolve("home.gnu", record.TypeTXT), "TXT only for me")
	expectCode(t, w.resolve("other.gnu", record.TypeTXT), NotFound, nil)
	if w.dht.gets != 0 {
		t.Errorf("%d DHT lookups for the user's own zone", w.dht.gets)
	}
}

func TestResolveInvalidDelegationSet(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "bad", delegation(t, newKey(t, zone.TypeEDKEY)), rec(t, "A", "192.0.2.1", "-"))
	expectCode(t, w.resolve("www.bad.gnu", record.TypeA), Failed, ErrInvalidSet)
}

// fakeDNS answers GNS2DNS queries from a table keyed by server and name.
type fakeDNS struct {
	answers map[string][]record.Record
	asked   []string
}

func (d *fakeDNS) Query(servers []string, name string, typ record.Type, done func([]record.Record, bool, error)) func() {
	d.asked = append(d.asked, strings.Join(servers, ",")+" "+name)
	recs, ok := d.answers[name]
	done(recs, !ok, nil)
	return func() {}
}

func TestResolveGNS2DNS(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	dns := &fakeDNS{answers: map[string][]record.Record{
		"www.example.com": {rec(t, "A", "203.0.113.5", "-")},
	}}
	w := newWorld(t, root, func(c *Config) { c.DNS = dns })
	w.publish(root, "legacy", rec(t, "GNS2DNS", "example.com@192.0.2.53", "-"), rec(t, "GNS2DNS", "example.com@ns.+", "-"))
	expectValues(t, w.resolve("www.legacy.gnu", record.TypeA), "A 203.0.113.5")
	expectCode(t, w.resolve("nope.legacy.gnu", record.TypeA), NotFound, nil)
	if len(dns.asked) != 2 || dns.asked[0] != "192.0.2.53 www.example.com" {
		t.Errorf("DNS queries %q", dns.asked)
	}
}

func TestResolveGNS2DNSWithoutClient(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "legacy", rec(t, "GNS2DNS", "example.com@192.0.2.53", "-"))
	expectCode(t, w.resolve("www.legacy.gnu", record.TypeA), Failed, ErrNoDNS)
}

func TestResultViewJSON(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, nil)
	w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"))
	typ, err := ParseType("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(w.resolve("www.gnu", typ).View())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"www.gnu","code":"found","records":[{"name":"www.gnu","type":"A","value":"192.0.2.1","expiration":"2030-01-02T00:00:00Z","flags":[]}]}`
	if string(b) != want {
		t.Errorf("JSON %s\nexpected %s", b, want)
	}
}

func TestResolveGNS2DNSServerInGNS(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	dns := &fakeDNS{answers: map[string][]record.Record{
		"www.example.com": {rec(t, "A", "203.0.113.5", "-")},
	}}
	w := newWorld(t, root, func(c *Config) { c.DNS = dns })
	w.publish(root, "legacy", rec(t, "GNS2DNS", "example.com@ns.+", "-"))
	w.publish(root, "ns", rec(t, "A", "192.0.2.53", "-"), rec(t, "AAAA", "2001:db8::53", "-"))
	expectValues(t, w.resolve("www.legacy.gnu", record.TypeA), "A 203.0.113.5")
	if len(dns.asked) != 1 || dns.asked[0] != "192.0.2.53,2001:db8::53 www.example.com" {
		t.Errorf("DNS queries %q", dns.asked)
	}
}

func TestResolveGNS2DNSServerLoop(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	dns := &fakeDNS{}
	w := newWorld(t, root, func(c *Config) { c.DNS = dns })
	w.publish(root, "legacy", rec(t, "GNS2DNS", "example.com@ns.legacy.gnu", "-"))
	expectCode(t, w.resolve("www.legacy.gnu", record.TypeA), Failed, ErrInvalidSet)
	if len(dns.asked) != 0 {
		t.Errorf("DNS queries %q, expected none", dns.asked)
	}
}

func TestResolveGNS2DNSTypeMapping(t *testing.T) {
	root := newKey(t, zone.TypeEDKEY)
	dns := &fakeDNS{answers: map[string][]record.Record{"example.com": nil}}
	w := newWorld(t, root, func(c *Config) { c.DNS = dns })
	w.publish(root, "legacy", rec(t, "GNS2DNS", "example.com@192.0.2.53", "-"))
	r := w.resolve("legacy.gnu", record.TypeEDKEY)
	if r.Code != Found || len(r.Records) != 0 || len(dns.asked) != 0 {
		t.Errorf("GNS type through GNS2DNS: %+v, queries %q; expected no records and no query", r, dns.asked)
	}
}

func TestResolveRevokedZone(t *testing.T) {
	root, friend := newKey(t, zone.TypeEDKEY), newKey(t, zone.TypeEDKEY)
	w := newWorld(t, root, func(c *Config) {
		c.Revoked = func(zk zone.PublicKey) bool { return zk.Equal(friend.Public()) }
	})
	w.publish(root, "friend", delegation(t, friend))
	w.publish(root, "www", rec(t, "A", "192.0.2.1", "-"))
	w.publish(friend, "www", rec(t, "A", "192.0.2.2", "-"))
	expectValues(t, w.resolve("www.gnu", record.TypeA), "A 192.0.2.1")
	expectCode(t, w.resolve("www.friend.gnu", record.TypeA), Failed, ErrRevoked)
}
