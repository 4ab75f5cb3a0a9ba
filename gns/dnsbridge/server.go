// Package dnsbridge serves GNS names to ordinary DNS clients. It runs a UDP
// and TCP DNS server (github.com/miekg/dns) that resolves queries for names
// in a GNS suffix or zTLD through a resolve function. Every other name gets
// REFUSED, so the bridge never acts as an open recursive resolver.
package dnsbridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Code is the outcome of one resolution, mapped to a DNS rcode.
type Code int

const (
	// Found means the name exists; Answers may still be empty (NODATA).
	Found Code = iota
	// NotFound means the name does not exist in GNS (NXDOMAIN).
	NotFound
	// NotGNS means the name is outside every GNS suffix (REFUSED).
	NotGNS
	// Failed means resolution failed (SERVFAIL).
	Failed
)

// Reply is what a ResolveFunc returns. Answers carry owner names, classes
// and TTLs already filled in.
type Reply struct {
	Code    Code
	Answers []dns.RR
	// Err is the reason for Failed, for the bridge's debug log.
	Err error
}

// ResolveFunc resolves one fully qualified name (with its trailing dot) for
// one query type. It must honour ctx and is called from several goroutines.
type ResolveFunc func(ctx context.Context, name string, qtype uint16) Reply

// Config sets up a Server.
type Config struct {
	// Addr is the listen address for both UDP and TCP, e.g. "127.0.0.1:5353".
	// Port 0 picks a free port that is the same for UDP and TCP.
	Addr string
	// Resolve resolves each query.
	Resolve ResolveFunc
	// Timeout bounds the resolution of one query; zero means DefaultTimeout.
	Timeout time.Duration
	Log     *slog.Logger
}

// DefaultTimeout bounds one query's resolution. DNS stub resolvers retry
// after a few seconds, so a longer wait only duplicates work.
const DefaultTimeout = 4 * time.Second

// Server is a running bridge.
type Server struct {
	cfg  Config
	udp  *dns.Server
	tcp  *dns.Server
	addr string
	wg   sync.WaitGroup
}

// Listen opens the UDP and TCP sockets and starts serving in the background
// until Close.
func Listen(cfg Config) (*Server, error) {
	if cfg.Resolve == nil {
		return nil, errors.New("dnsbridge: Config.Resolve is nil")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	pc, ln, err := listenPair(cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, addr: pc.LocalAddr().String()}
	handler := dns.HandlerFunc(s.serveDNS)
	s.udp = &dns.Server{PacketConn: pc, Handler: handler}
	s.tcp = &dns.Server{Listener: ln, Handler: handler}
	s.start(s.udp)
	s.start(s.tcp)
	cfg.Log.Info("dns bridge listening", "subsystem", "dnsbridge", "addr", s.addr)
	return s, nil
}

// Addr returns the address both sockets listen on.
func (s *Server) Addr() string { return s.addr }

// Close stops both servers and waits for their goroutines.
func (s *Server) Close() error {
	errUDP := s.udp.Shutdown()
	errTCP := s.tcp.Shutdown()
	s.wg.Wait()
	s.cfg.Log.Info("dns bridge stopped", "subsystem", "dnsbridge", "addr", s.addr)
	return errors.Join(errUDP, errTCP)
}

func (s *Server) start(srv *dns.Server) {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.ActivateAndServe(); err != nil {
			s.cfg.Log.Error("dns bridge server stopped", "subsystem", "dnsbridge", "err", err)
		}
	}()
	<-started
}

// listenPair opens UDP and TCP on the same port. With port 0 it takes the
// port the kernel gave the UDP socket, retrying a few times when that port
// is already taken for TCP.
func listenPair(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dnsbridge: invalid listen address %q: %w", addr, err)
	}
	const attempts = 8
	for range attempts {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("dnsbridge: listen udp %s: %w", addr, err)
		}
		udpPort := strconv.Itoa(pc.LocalAddr().(*net.UDPAddr).Port)
		ln, err := net.Listen("tcp", net.JoinHostPort(host, udpPort))
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		if port != "0" {
			return nil, nil, fmt.Errorf("dnsbridge: listen tcp %s: %w", addr, err)
		}
	}
	return nil, nil, fmt.Errorf("dnsbridge: no port free for both udp and tcp on %s after %d attempts", host, attempts)
}
