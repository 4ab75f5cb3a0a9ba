package dnsbridge

import (
	"context"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

// fakeZone resolves names under ".gnu." from a fixed table of RRs in
// presentation format.
type fakeZone map[string][]string

func (z fakeZone) resolve(ctx context.Context, name string, qtype uint16) Reply {
	if !strings.HasSuffix(name, ".gnu.") {
		return Reply{Code: NotGNS}
	}
	lines, ok := z[name]
	if !ok {
		return Reply{Code: NotFound}
	}
	var reply Reply
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			panic(err)
		}
		if rr.Header().Rrtype == qtype || rr.Header().Rrtype == dns.TypeCNAME {
			reply.Answers = append(reply.Answers, rr)
		}
	}
	return reply
}

func startBridge(t *testing.T, zone fakeZone) *Server {
	t.Helper()
	srv, err := Listen(Config{Addr: "127.0.0.1:0", Resolve: zone.resolve})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

var testZone = fakeZone{
	"www.example.gnu.":       {"www.example.gnu. 300 IN A 192.0.2.1", "www.example.gnu. 300 IN AAAA 2001:db8::1"},
	"txt.example.gnu.":       {`txt.example.gnu. 60 IN TXT "hello world"`},
	"example.gnu.":           {"example.gnu. 60 IN MX 10 mail.example.gnu."},
	"_sip._udp.example.gnu.": {"_sip._udp.example.gnu. 60 IN SRV 1 2 5060 sip.example.gnu."},
	"alias.example.gnu.":     {"alias.example.gnu. 60 IN CNAME www.example.gnu."},
	"loop1.example.gnu.":     {"loop1.example.gnu. 60 IN CNAME loop2.example.gnu."},
	"loop2.example.gnu.":     {"loop2.example.gnu. 60 IN CNAME loop1.example.gnu."},
	"out.example.gnu.":       {"out.example.gnu. 60 IN CNAME www.example.org."},
}

func query(t *testing.T, net, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: net}
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	resp, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s query %s: %v", net, name, err)
	}
	return resp
}

func TestBridgeAnswersTypes(t *testing.T) {
	srv := startBridge(t, testZone)
	cases := []struct {
		name  string
		qtype uint16
		want  string
	}{
		{"www.example.gnu.", dns.TypeA, "192.0.2.1"},
		{"www.example.gnu.", dns.TypeAAAA, "2001:db8::1"},
		{"txt.example.gnu.", dns.TypeTXT, `"hello world"`},
		{"example.gnu.", dns.TypeMX, "mail.example.gnu."},
		{"_sip._udp.example.gnu.", dns.TypeSRV, "5060 sip.example.gnu."},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, c := range cases {
			resp := query(t, network, srv.Addr(), c.name, c.qtype)
			if resp.Rcode != dns.RcodeSuccess {
				t.Errorf("%s %s: rcode %s, expected NOERROR", network, c.name, dns.RcodeToString[resp.Rcode])
				continue
			}
			if len(resp.Answer) != 1 || !strings.Contains(resp.Answer[0].String(), c.want) {
				t.Errorf("%s %s: answer %v, expected one containing %q", network, c.name, resp.Answer, c.want)
			}
		}
	}
}

func TestBridgeRcodes(t *testing.T) {
	srv := startBridge(t, testZone)
	cases := []struct {
		name  string
		rcode int
	}{
		{"www.example.org.", dns.RcodeRefused},
		{"missing.example.gnu.", dns.RcodeNameError},
	}
	for _, c := range cases {
		resp := query(t, "udp", srv.Addr(), c.name, dns.TypeA)
		if resp.Rcode != c.rcode {
			t.Errorf("%s: rcode %s, expected %s", c.name, dns.RcodeToString[resp.Rcode], dns.RcodeToString[c.rcode])
		}
	}
}

func TestBridgeNoDataForOtherType(t *testing.T) {
	srv := startBridge(t, testZone)
	resp := query(t, "udp", srv.Addr(), "txt.example.gnu.", dns.TypeA)
	if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != 0 {
		t.Errorf("rcode %s answers %v, expected NOERROR and no answer", dns.RcodeToString[resp.Rcode], resp.Answer)
	}
}

func TestBridgeChasesCNAME(t *testing.T) {
	srv := startBridge(t, testZone)
	resp := query(t, "udp", srv.Addr(), "alias.example.gnu.", dns.TypeA)
	if len(resp.Answer) != 2 {
		t.Fatalf("answers %v, expected the CNAME and the A record", resp.Answer)
	}
	if _, ok := resp.Answer[0].(*dns.CNAME); !ok {
		t.Errorf("first answer %v, expected the CNAME", resp.Answer[0])
	}
	if a, ok := resp.Answer[1].(*dns.A); !ok || a.A.String() != "192.0.2.1" {
		t.Errorf("second answer %v, expected A 192.0.2.1", resp.Answer[1])
	}
}

func TestBridgeCNAMELoopEnds(t *testing.T) {
	srv := startBridge(t, testZone)
	resp := query(t, "tcp", srv.Addr(), "loop1.example.gnu.", dns.TypeA)
	if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != maxCNAMEChain {
		t.Errorf("rcode %s with %d answers, expected NOERROR with %d CNAMEs", dns.RcodeToString[resp.Rcode], len(resp.Answer), maxCNAMEChain)
	}
}

func TestBridgeCNAMEOutsideGNS(t *testing.T) {
	srv := startBridge(t, testZone)
	resp := query(t, "udp", srv.Addr(), "out.example.gnu.", dns.TypeA)
	if resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != 1 {
		t.Errorf("rcode %s answers %v, expected NOERROR with the CNAME only", dns.RcodeToString[resp.Rcode], resp.Answer)
	}
}

func TestBridgeRejectsMultipleQuestions(t *testing.T) {
	srv := startBridge(t, testZone)
	m := new(dns.Msg)
	m.SetQuestion("www.example.gnu.", dns.TypeA)
	m.Question = append(m.Question, m.Question[0])
	resp, _, err := (&dns.Client{Net: "tcp"}).Exchange(m, srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Rcode != dns.RcodeFormatError {
		t.Errorf("rcode %s, expected FORMERR", dns.RcodeToString[resp.Rcode])
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
