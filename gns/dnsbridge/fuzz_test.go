package dnsbridge

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// captureWriter is a dns.ResponseWriter that keeps the reply.
type captureWriter struct {
	dns.ResponseWriter
	reply *dns.Msg
}

func (w *captureWriter) RemoteAddr() net.Addr {
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5353}
}
func (w *captureWriter) WriteMsg(m *dns.Msg) error { w.reply = m; return nil }

// FuzzServeDNS feeds arbitrary DNS messages to the bridge's handler: it
// must not panic, must reply to every query it parses, and the reply must
// pack.
func FuzzServeDNS(f *testing.F) {
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"www.example.gnu.", dns.TypeA}, {"alias.example.gnu.", dns.TypeA}, {"x.org.", dns.TypeTXT}} {
		m := new(dns.Msg)
		m.SetQuestion(q.name, q.qtype)
		b, _ := m.Pack()
		f.Add(b)
	}
	srv := &Server{cfg: Config{Resolve: testZone.resolve, Timeout: time.Second}}
	srv.cfg.Log = discardLogger()
	f.Fuzz(func(t *testing.T, b []byte) {
		req := new(dns.Msg)
		if req.Unpack(b) != nil || req.Response {
			return
		}
		w := &captureWriter{}
		srv.serveDNS(w, req)
		if w.reply == nil {
			t.Fatal("no reply")
		}
		if _, err := w.reply.Pack(); err != nil {
			t.Fatalf("reply does not pack: %v", err)
		}
	})
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
