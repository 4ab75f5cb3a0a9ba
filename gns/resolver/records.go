package resolver

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hush-overlay/hush/gns/record"
)

// gnsTypes are the GNS record types above the DNS range that this
// resolver implements or passes on. DNS types (below 65536) are returned
// as they are, so they count as supported.
var gnsTypes = map[record.Type]bool{
	record.TypePKEY: true, record.TypeEDKEY: true, record.TypeNICK: true,
	record.TypeLEHO: true, record.TypeVPN: true, record.TypeGNS2DNS: true,
	record.TypeBOX: true, record.TypeREDIRECT: true, record.TypeSTEALTH: true,
}

func supported(t record.Type) bool { return t < 65536 || gnsTypes[t] }

// checkCritical fails when a CRITICAL record has a type this resolver does
// not implement (RFC 9498, section 5, flag CRITICAL).
func checkCritical(recs []record.Record) error {
	for _, r := range recs {
		if r.Flags&record.FlagCritical != 0 && !supported(r.Type) {
			return fmt.Errorf("%w: %s", ErrCritical, r.Type)
		}
	}
	return nil
}

// recordSet is a label's active records sorted by their role.
type recordSet struct {
	all        []record.Record
	delegation *record.Record
	redirect   *record.Record
	gns2dns    []record.Record
	boxes      []record.Record
}

// classify sorts recs and enforces the rules of RFC 9498, section 7.3: a
// delegation or a REDIRECT must be alone apart from supplemental records,
// and GNS2DNS records may only be joined by other GNS2DNS records.
func classify(recs []record.Record) (recordSet, error) {
	set := recordSet{all: recs}
	main := 0
	for i := range recs {
		r := &recs[i]
		if r.Flags&record.FlagSupplemental != 0 {
			continue
		}
		main++
		switch {
		case r.Type.IsDelegation():
			set.delegation = r
		case r.Type == record.TypeREDIRECT:
			set.redirect = r
		case r.Type == record.TypeGNS2DNS:
			set.gns2dns = append(set.gns2dns, *r)
		case r.Type == record.TypeBOX:
			set.boxes = append(set.boxes, *r)
		}
	}
	return set, checkRoles(set, main)
}

func checkRoles(set recordSet, main int) error {
	switch {
	case set.delegation != nil && main != 1:
		return fmt.Errorf("%w: a zone delegation next to %d other records", ErrInvalidSet, main-1)
	case set.redirect != nil && main != 1:
		return fmt.Errorf("%w: a REDIRECT next to %d other records", ErrInvalidSet, main-1)
	case len(set.gns2dns) > 0 && main != len(set.gns2dns):
		return fmt.Errorf("%w: GNS2DNS records mixed with other records", ErrInvalidSet)
	}
	return nil
}

// protocols maps the "_PROTO" label of a service name to the IP protocol
// number (IANA protocol numbers).
var protocols = map[string]uint16{"_tcp": 6, "_udp": 17, "_sctp": 132}

// services maps common "_SERVICE" labels to ports (IANA service names);
// a numeric label such as "_8443" works for every port.
var services = map[string]uint16{
	"_http": 80, "_https": 443, "_smtp": 25, "_submission": 587, "_imap": 143,
	"_imaps": 993, "_sip": 5060, "_sips": 5061, "_xmpp-client": 5222,
	"_xmpp-server": 5269, "_ssh": 22, "_dns": 53, "_domain": 53,
}

// serviceLabels reports whether rest is "_SERVICE._PROTO" and returns the
// port and protocol numbers.
func serviceLabels(rest []string) (svc, proto uint16, ok bool) {
	if len(rest) != 2 || !strings.HasPrefix(rest[0], "_") {
		return 0, 0, false
	}
	proto, ok = protocols[rest[1]]
	if !ok {
		return 0, 0, false
	}
	if port, err := strconv.ParseUint(rest[0][1:], 10, 16); err == nil {
		return uint16(port), proto, true
	}
	svc, ok = services[rest[0]]
	return svc, proto, ok
}

// unbox returns the contents of the BOX records for svc and proto as
// records with the BOX record's expiration and flags (RFC 9498, section
// 5.3.2). Malformed BOX records are skipped.
func unbox(boxes []record.Record, svc, proto uint16) []record.Record {
	var out []record.Record
	for _, r := range boxes {
		b, err := r.Box()
		if err != nil || b.Service != svc || b.Protocol != proto {
			continue
		}
		out = append(out, record.Record{Type: b.Type, Data: b.Data, Expiration: r.Expiration, Flags: r.Flags})
	}
	return out
}
