package resolver

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/loop"
)

// startDNSServer runs a DNS server on 127.0.0.1 that answers A queries for
// www.example.com. and NXDOMAIN for everything else.
func startDNSServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		resp := new(dns.Msg)
		resp.SetReply(req)
		if req.Question[0].Name == "www.example.com." {
			rr, _ := dns.NewRR("www.example.com. 300 IN A 203.0.113.5")
			resp.Answer = append(resp.Answer, rr)
		} else {
			resp.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(resp)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestUDPDNSQueriesServer(t *testing.T) {
	addr := startDNSServer(t)
	lp := loop.NewReal(slog.New(slog.DiscardHandler))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go lp.Run(ctx)
	defer lp.Stop()
	client := &UDPDNS{Post: lp.Post, Now: time.Now, Lookup: func(context.Context, string) ([]string, error) {
		t.Error("host name lookup for an IP server")
		return nil, nil
	}}
	type answer struct {
		recs     []record.Record
		notFound bool
		err      error
	}
	ask := func(name string) answer {
		ch := make(chan answer, 1)
		client.Query([]string{addr}, name, record.TypeA, func(r []record.Record, nf bool, err error) { ch <- answer{r, nf, err} })
		return <-ch
	}
	a := ask("www.example.com")
	if a.err != nil || len(a.recs) != 1 || net.IP(a.recs[0].Data).String() != "203.0.113.5" {
		t.Errorf("www.example.com: %+v", a)
	}
	if a := ask("nope.example.com"); a.err != nil || !a.notFound {
		t.Errorf("nope.example.com: %+v, expected NXDOMAIN", a)
	}
}
