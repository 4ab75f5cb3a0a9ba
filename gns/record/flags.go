package record

import (
	"fmt"
	"strings"
)

// Flags are a record's flags. RFC 9498 numbers the bits of the 16-bit
// field from the most significant (bit 0) to the least significant
// (bit 15), so CRITICAL, bit 15, is the value 1.
type Flags uint16

const (
	// FlagCritical (bit 15): a resolver that does not understand the
	// record type must fail the resolution.
	FlagCritical Flags = 1 << 0
	// FlagShadow (bit 14): the record is used only once the unexpired
	// records of its type are gone, so a replacement can be published
	// before the old record expires.
	FlagShadow Flags = 1 << 1
	// FlagSupplemental (bit 13): the record is not for the name itself
	// but supplements a result, as the NICK of a zone does.
	FlagSupplemental Flags = 1 << 2
	// FlagRelativeExpiration means the expiration field is a duration
	// from publication, not a time. It exists only in the namestore and
	// never in a published block (GNUnet's value, bit 1).
	FlagRelativeExpiration Flags = 1 << 14
	// FlagPrivate marks a record that is never published (GNUnet's
	// value, bit 0).
	FlagPrivate Flags = 1 << 15
)

var flagNames = []struct {
	flag Flags
	name string
}{
	{FlagCritical, "CRITICAL"}, {FlagShadow, "SHADOW"}, {FlagSupplemental, "SUPPLEMENTAL"},
	{FlagRelativeExpiration, "RELATIVE_EXPIRATION"}, {FlagPrivate, "PRIVATE"},
}

// String lists the set flags separated by "|", or returns "0".
func (f Flags) String() string {
	var names []string
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			names = append(names, fn.name)
		}
	}
	if rest := f &^ (FlagCritical | FlagShadow | FlagSupplemental | FlagRelativeExpiration | FlagPrivate); rest != 0 {
		names = append(names, fmt.Sprintf("0x%04X", uint16(rest)))
	}
	if len(names) == 0 {
		return "0"
	}
	return strings.Join(names, "|")
}
