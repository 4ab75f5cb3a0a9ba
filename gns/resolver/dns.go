package resolver

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// DNSClient resolves names in DNS for GNS2DNS delegations (RFC 9498,
// section 5.3.3). Query sends a query for records of typ under name to the
// given servers, in order, and calls done once on the peer's loop. servers are IP
// addresses or DNS names of name servers. The answer's records carry
// absolute expirations from the DNS TTLs and their data in GNS wire form.
// notFound reports NXDOMAIN. The returned function cancels the query.
type DNSClient interface {
	Query(servers []string, name string, typ record.Type, done func(recs []record.Record, notFound bool, err error)) (cancel func())
}

// ErrNoDNS is the error when a GNS2DNS delegation is met but no DNS client
// is configured.
var ErrNoDNS = errors.New("resolver: name is delegated to DNS (GNS2DNS), but no DNS client is configured")

// toDNS resolves the rest of the name in DNS under the GNS2DNS records'
// DNS name. All records must name the same DNS name. Servers given as GNS
// names are resolved first, then all servers are tried in order.
func (l *lookup) toDNS(recs []record.Record, rest []string) {
	if l.r.cfg.DNS == nil {
		l.fail(ErrNoDNS)
		return
	}
	dnsName, servers, err := gns2dnsTarget(recs)
	if err != nil {
		l.fail(err)
		return
	}
	if len(rest) > 0 {
		dnsName = strings.Join(rest, ".") + "." + dnsName
	}
	l.serverAddresses(servers, nil, func(addrs []string) { l.queryDNS(addrs, dnsName) })
}

// queryDNS sends the DNS query and finishes with its outcome. DNS has no
// GNS record types, so a request for one finds nothing.
func (l *lookup) queryDNS(servers []string, dnsName string) {
	if len(servers) == 0 {
		l.fail(fmt.Errorf("%w: no DNS server address for %q", ErrInvalidSet, dnsName))
		return
	}
	qtype := l.typ
	switch {
	case qtype == TypeAny:
		qtype = dnsTypeANY
	case qtype > 0xffff:
		l.finish(Result{Code: Found, Name: l.name})
		return
	}
	l.stopGet = l.r.cfg.DNS.Query(servers, dnsName, qtype, func(recs []record.Record, notFound bool, err error) {
		l.stopGet = nil
		switch {
		case err != nil:
			l.fail(fmt.Errorf("resolver: DNS query for %q: %w", dnsName, err))
		case notFound:
			l.finish(Result{Code: NotFound, Name: l.name})
		default:
			l.answer(recs, false)
		}
	})
}

// dnsTypeANY is the DNS query type ANY (RFC 1035, section 3.2.3).
const dnsTypeANY record.Type = 255

// serverAddresses turns GNS2DNS server names into addresses one by one
// and appends them to done. IP addresses and DNS names pass unchanged.
// GNS names ("ns.+" relative to the current zone, or names under a GNS
// suffix) are resolved in GNS for their A and AAAA records.
func (l *lookup) serverAddresses(servers, done []string, next func([]string)) {
	for len(servers) > 0 {
		server := servers[0]
		servers = servers[1:]
		zk, labels, isGNS := l.gnsServer(server)
		if !isGNS {
			done = append(done, server)
			continue
		}
		l.resolveServer(server, zk, labels, func(addrs []string) {
			l.serverAddresses(servers, append(done, addrs...), next)
		})
		return
	}
	next(done)
}

// gnsServer reports whether a GNS2DNS server is a GNS name, and where
// its resolution starts.
func (l *lookup) gnsServer(server string) (zone.PublicKey, []string, bool) {
	if rel, ok := strings.CutSuffix(server, relativeSuffix); ok {
		labels, err := gns.SplitName(rel)
		return l.zone, labels, err == nil
	}
	if net.ParseIP(server) != nil {
		return zone.PublicKey{}, nil, false
	}
	n, err := l.r.cfg.Suffixes.ParseName(server)
	return n.Zone, n.Labels, err == nil
}

// resolveServer runs a nested resolution for a name server's addresses.
// It counts as a hop, so servers named under their own GNS2DNS delegation
// cannot nest forever, and the outer resolution cancels it when it ends
// first. A failed or empty resolution gives no addresses.
func (l *lookup) resolveServer(server string, zk zone.PublicKey, labels []string, next func([]string)) {
	if l.hops+1 > l.r.cfg.MaxHops {
		next(nil)
		return
	}
	sub := &lookup{r: l.r, name: server, typ: TypeAny, zone: zk, labels: labels, hops: l.hops + 1, seen: make(map[string]bool)}
	sub.cb = func(res Result) {
		l.stopGet = nil
		if l.finished {
			return
		}
		next(addressesOf(res.Records))
	}
	l.stopGet = sub.cancel
	sub.step()
}

func addressesOf(recs []record.Record) []string {
	var out []string
	for _, r := range recs {
		if r.Type == record.TypeA || r.Type == record.TypeAAAA {
			out = append(out, net.IP(r.Data).String())
		}
	}
	return out
}

// gns2dnsTarget returns the common DNS name and the servers of GNS2DNS
// records.
func gns2dnsTarget(recs []record.Record) (string, []string, error) {
	var name string
	var servers []string
	for _, r := range recs {
		n, server, err := r.GNS2DNS()
		if err != nil {
			return "", nil, fmt.Errorf("%w: %w", ErrInvalidSet, err)
		}
		if name != "" && n != name {
			return "", nil, fmt.Errorf("%w: GNS2DNS records name %q and %q", ErrInvalidSet, name, n)
		}
		name = n
		servers = append(servers, server)
	}
	return strings.TrimSuffix(name, "."), servers, nil
}
