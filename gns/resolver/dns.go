package resolver

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hush-overlay/hush/gns/record"
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
var ErrNoDNS = errors.New("resolver: GNS2DNS delegation but DNS resolution is disabled")

// toDNS resolves the rest of the name in DNS under the GNS2DNS records'
// DNS name. All records must name the same DNS name; their servers are
// tried in order.
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
	l.stopGet = l.r.cfg.DNS.Query(servers, dnsName, l.typ, func(recs []record.Record, notFound bool, err error) {
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

// gns2dnsTarget returns the common DNS name and the usable servers of
// GNS2DNS records.
//
// NOTE: servers given as GNS names (ending in ".+") are skipped, because
// resolving them needs a nested GNS resolution that is not implemented.
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
		if !strings.HasSuffix(server, "+") {
			servers = append(servers, server)
		}
	}
	if len(servers) == 0 {
		return "", nil, fmt.Errorf("%w: GNS2DNS for %q has no usable DNS server", ErrInvalidSet, name)
	}
	return strings.TrimSuffix(name, "."), servers, nil
}
