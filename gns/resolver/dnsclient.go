package resolver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"

	"github.com/hush-overlay/hush/gns/dnsconv"
	"github.com/hush-overlay/hush/gns/record"
)

// UDPDNS is the DNSClient of the daemon: it sends one query per server
// with github.com/miekg/dns, in a goroutine, and posts the answer to the
// peer's loop. Server names are looked up with the system resolver first.
type UDPDNS struct {
	// Post runs a function on the peer's loop (loop.Env.Post).
	Post func(func())
	// Now is the clock for record expirations (loop.Env.Now is not safe
	// off the loop, so the daemon passes time.Now).
	Now func() time.Time
	// Timeout bounds the query to one server; zero means two seconds.
	Timeout time.Duration
	// Lookup resolves server host names; nil means net.DefaultResolver.
	Lookup func(ctx context.Context, host string) ([]string, error)
}

// dnsPort is the port of servers given without one.
const dnsPort = "53"

var errNoAnswer = errors.New("no DNS server answered")

// Query implements DNSClient.
func (c *UDPDNS) Query(servers []string, name string, typ record.Type, done func([]record.Record, bool, error)) func() {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		recs, notFound, err := c.ask(ctx, servers, name, typ)
		if ctx.Err() != nil {
			return
		}
		c.Post(func() {
			if ctx.Err() == nil {
				done(recs, notFound, err)
			}
		})
	}()
	return cancel
}

// ask tries servers in order until one replies with NOERROR or NXDOMAIN.
func (c *UDPDNS) ask(ctx context.Context, servers []string, name string, typ record.Type) ([]record.Record, bool, error) {
	err := errNoAnswer
	for _, server := range servers {
		addrs, lookupErr := c.addresses(ctx, server)
		if lookupErr != nil {
			err = lookupErr
			continue
		}
		for _, addr := range addrs {
			resp, exErr := c.exchange(ctx, addr, name, typ)
			if exErr != nil {
				err = exErr
				continue
			}
			return c.records(resp), resp.Rcode == dns.RcodeNameError, nil
		}
	}
	return nil, false, err
}

// addresses returns host:port addresses for a server given as an IP, an
// IP with port, or a host name.
func (c *UDPDNS) addresses(ctx context.Context, server string) ([]string, error) {
	host, port, err := net.SplitHostPort(server)
	if err != nil {
		host, port = server, dnsPort
	}
	if net.ParseIP(host) != nil {
		return []string{net.JoinHostPort(host, port)}, nil
	}
	lookup := c.Lookup
	if lookup == nil {
		lookup = net.DefaultResolver.LookupHost
	}
	ips, err := lookup(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("look up DNS server %q: %w", host, err)
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = net.JoinHostPort(ip, port)
	}
	return out, nil
}

func (c *UDPDNS) exchange(ctx context.Context, addr, name string, typ record.Type) (*dns.Msg, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	msg := new(dns.Msg)
	msg.SetQuestion(dns.Fqdn(name), uint16(typ))
	resp, _, err := (&dns.Client{}).ExchangeContext(ctx, msg, addr)
	if err != nil {
		return nil, fmt.Errorf("query %s for %q: %w", addr, name, err)
	}
	if resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError {
		return nil, fmt.Errorf("query %s for %q: rcode %s", addr, name, dns.RcodeToString[resp.Rcode])
	}
	return resp, nil
}

func (c *UDPDNS) records(resp *dns.Msg) []record.Record {
	now := c.Now()
	var out []record.Record
	for _, rr := range resp.Answer {
		if r, ok := dnsconv.FromRR(rr, now); ok {
			out = append(out, r)
		}
	}
	return out
}
