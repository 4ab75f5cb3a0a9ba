package dnsbridge

import (
	"context"
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/resolver"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// noBlocks is a block source with nothing in it.
type noBlocks struct{ env loop.Env }

func (n noBlocks) GetBlock(q [64]byte, cb func([]byte), done func()) func() {
	n.env.Post(done)
	return func() {}
}

// TestBridgeOverResolver runs the bridge over a real resolver on a real
// loop, serving names from the user's own zone.
func TestBridgeOverResolver(t *testing.T) {
	root, err := zone.GenerateEDKEY(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := gns.ParseRecord("A", "192.0.2.1", "1h", "-")
	redirect, _ := gns.ParseRecord("REDIRECT", "www.example.org", "1h", "-")
	zoneRecords := map[string][]record.Record{"www": {a}, "out": {redirect}}

	lp := loop.NewReal(slog.New(slog.DiscardHandler))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go lp.Run(ctx)
	defer lp.Stop()
	suffixes, _ := gns.NewSuffixMap(root.Public(), nil)
	res := resolver.New(resolver.Config{
		Env: lp, Suffixes: suffixes, Blocks: noBlocks{lp},
		Local: func(zk zone.PublicKey, label string) ([]record.Record, bool) {
			return zoneRecords[label], zk.Equal(root.Public())
		},
	})
	blocking := resolver.Blocking{Post: lp.Post, Resolver: res}
	srv := startBridgeWith(t, FromResolver(blocking.Resolve, time.Now))

	resp := query(t, "udp", srv.Addr(), "www.gnu.", dns.TypeA)
	if len(resp.Answer) != 1 || resp.Answer[0].(*dns.A).A.String() != "192.0.2.1" {
		t.Errorf("www.gnu A: %v", resp.Answer)
	}
	if ttl := resp.Answer[0].Header().Ttl; ttl == 0 || ttl > 3600 {
		t.Errorf("TTL %d, expected up to an hour", ttl)
	}
	if resp := query(t, "tcp", srv.Addr(), "missing.gnu.", dns.TypeA); resp.Rcode != dns.RcodeNameError {
		t.Errorf("missing.gnu: rcode %s", dns.RcodeToString[resp.Rcode])
	}
	if resp := query(t, "udp", srv.Addr(), "example.org.", dns.TypeA); resp.Rcode != dns.RcodeRefused {
		t.Errorf("example.org: rcode %s", dns.RcodeToString[resp.Rcode])
	}
	if resp := query(t, "tcp", srv.Addr(), "www.gnu.", dns.TypeANY); len(resp.Answer) != 1 {
		t.Errorf("www.gnu ANY: %v, expected the A record", resp.Answer)
	}
	resp = query(t, "udp", srv.Addr(), "out.gnu.", dns.TypeA)
	if len(resp.Answer) != 1 || resp.Answer[0].(*dns.CNAME).Target != "www.example.org." {
		t.Errorf("out.gnu: %v, expected a CNAME to www.example.org.", resp.Answer)
	}
}

func startBridgeWith(t *testing.T, resolve ResolveFunc) *Server {
	t.Helper()
	srv, err := Listen(Config{Addr: "127.0.0.1:0", Resolve: resolve})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}
