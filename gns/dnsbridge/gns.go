package dnsbridge

import (
	"context"
	"time"

	"github.com/miekg/dns"

	"github.com/hush-overlay/hush/gns/dnsconv"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/resolver"
)

// LookupFunc resolves a GNS name from any goroutine, as
// resolver.Blocking.Resolve does.
type LookupFunc func(ctx context.Context, name string, typ record.Type) (resolver.Result, error)

// FromResolver adapts a GNS lookup to a ResolveFunc. now gives the time
// for TTLs (time.Now in the daemon). GNS records that DNS cannot carry
// are left out of the answer.
func FromResolver(lookup LookupFunc, now func() time.Time) ResolveFunc {
	return func(ctx context.Context, name string, qtype uint16) Reply {
		typ := record.Type(qtype)
		if qtype == dns.TypeANY {
			typ = resolver.TypeAny
		}
		res, err := lookup(ctx, name, typ)
		if err != nil {
			return Reply{Code: Failed, Err: err}
		}
		switch res.Code {
		case resolver.NotFound:
			return Reply{Code: NotFound}
		case resolver.NotGNS:
			return Reply{Code: NotGNS}
		case resolver.Failed:
			return Reply{Code: Failed, Err: res.Err}
		}
		return Reply{Code: Found, Answers: toRRs(name, res.Records, now())}
	}
}

func toRRs(name string, recs []record.Record, now time.Time) []dns.RR {
	var out []dns.RR
	for _, r := range recs {
		if rr, ok := dnsconv.ToRR(name, r, now); ok {
			out = append(out, rr)
		}
	}
	return out
}
