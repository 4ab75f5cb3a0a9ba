package resolver

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
)

// relativeSuffix ends a REDIRECT target that is relative to the zone the
// record is in (RFC 9498, section 5.2.1): "www.+" is "www" in that zone.
const relativeSuffix = ".+"

// redirect follows a REDIRECT. The labels still to resolve (rest) are put
// in front of the target, so "a" under a label that redirects to "b.+"
// resolves as "a.b" in the same zone. A target outside GNS cannot be
// followed without DNS, so the REDIRECT record itself is the answer,
// whatever type was requested, and the client follows it (the DNS bridge
// returns it as a CNAME).
func (l *lookup) redirect(rec record.Record, rest []string) {
	target := string(rec.Data)
	if rel, ok := strings.CutSuffix(target, relativeSuffix); ok || target == "+" {
		labels, err := relativeLabels(rel, target == "+")
		if err != nil {
			l.fail(fmt.Errorf("%w: REDIRECT target %q: %w", ErrInvalidSet, target, err))
			return
		}
		l.hop(l.zone, append(append([]string(nil), rest...), labels...))
		return
	}
	full := strings.Join(append(append([]string(nil), rest...), target), ".")
	n, err := l.r.cfg.Suffixes.ParseName(full)
	switch {
	case errors.Is(err, gns.ErrNotGNS):
		l.finish(Result{Code: Found, Name: l.name, Records: []record.Record{rec}})
	case err != nil:
		l.fail(fmt.Errorf("%w: REDIRECT target %q: %w", ErrInvalidSet, target, err))
	default:
		l.hop(n.Zone, n.Labels)
	}
}

// relativeLabels splits the part of a relative target before ".+"; a bare
// "+" names the zone apex.
func relativeLabels(rel string, apex bool) ([]string, error) {
	if apex {
		return nil, nil
	}
	return gns.SplitName(rel)
}
