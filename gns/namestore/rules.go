package namestore

import (
	"fmt"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// Type is a GNS record type, as package record defines it.
type Type = record.Type

// CheckSet returns an error when a label's record set breaks a rule of
// RFC 9498 that resolvers enforce, so the zone owner learns of it before
// anything is published:
//
//   - a delegation (PKEY or EDKEY) or a REDIRECT must be the only record
//     of the label apart from supplemental records;
//   - GNS2DNS records may only be joined by other GNS2DNS records and
//     supplemental records;
//   - the apex label "@" cannot delegate;
//   - every record's data must be valid for its type and fit in a block.
func CheckSet(label string, set []Record) error {
	var main, delegations, redirects, gns2dns int
	for _, r := range set {
		if err := checkRecord(r); err != nil {
			return fmt.Errorf("namestore: label %q: %w", label, err)
		}
		if r.Flags&record.FlagSupplemental != 0 {
			continue
		}
		main++
		switch {
		case r.Type.IsDelegation():
			delegations++
		case r.Type == record.TypeREDIRECT:
			redirects++
		case r.Type == record.TypeGNS2DNS:
			gns2dns++
		}
	}
	if err := checkBlockSize(label, set); err != nil {
		return err
	}
	return checkCounts(label, main, delegations, redirects, gns2dns)
}

// sealOverhead is the most that sealing adds to the padded RDATA: the
// RRBLOCK header and the 16-byte authentication tag of EDKEY blocks.
const sealOverhead = zone.BlockHeaderSize + 16

// checkBlockSize rejects a set whose public records, padded as RFC 9498
// requires, would not fit in one block, since the publisher could never
// publish it.
func checkBlockSize(label string, set []Record) error {
	var public []Record
	for _, r := range set {
		if r.Flags&record.FlagPrivate == 0 {
			public = append(public, r)
		}
	}
	if size := record.SetSize(public) + sealOverhead; size > zone.MaxBlockSize {
		return fmt.Errorf("namestore: label %q: the public records need a %d-byte block once padded, the maximum is %d; make them smaller or mark some --private", label, size, zone.MaxBlockSize)
	}
	return nil
}

func checkCounts(label string, main, delegations, redirects, gns2dns int) error {
	switch {
	case delegations > 0 && label == zone.ApexLabel:
		return fmt.Errorf("namestore: the apex label %q cannot hold a zone delegation", label)
	case delegations > 0 && main != 1:
		return fmt.Errorf("namestore: label %q: a zone delegation must be the only record apart from supplemental ones", label)
	case redirects > 0 && main != 1:
		return fmt.Errorf("namestore: label %q: a REDIRECT must be the only record apart from supplemental ones", label)
	case gns2dns > 0 && main != gns2dns:
		return fmt.Errorf("namestore: label %q: GNS2DNS records cannot be mixed with other records apart from supplemental ones", label)
	}
	return nil
}

func checkRecord(r Record) error {
	if len(r.Data) > record.MaxDataSize {
		return fmt.Errorf("%s record data has %d bytes, the maximum is %d", r.Type, len(r.Data), record.MaxDataSize)
	}
	if r.Expiration == 0 {
		return fmt.Errorf("%s record has no expiration", r.Type)
	}
	if _, err := record.FormatValue(r.Type, r.Data); err != nil {
		return fmt.Errorf("invalid %s record data: %w", r.Type, err)
	}
	return nil
}
