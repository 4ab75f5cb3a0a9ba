package record

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hush-overlay/hush/gns/zone"
)

// Type is a record type. Numbers below 65536 are DNS types, and the GNS types
// above them are GNUnet's numbers from the GANA "GNU Name System Record
// Types" registry.
type Type uint32

const (
	TypeA     Type = 1
	TypeNS    Type = 2
	TypeCNAME Type = 5
	TypePTR   Type = 12
	TypeMX    Type = 15
	TypeTXT   Type = 16
	TypeAAAA  Type = 28
	TypeSRV   Type = 33
	TypeTLSA  Type = 52

	TypePKEY          = Type(zone.TypePKEY) // 65536, zone delegation
	TypeNICK     Type = 65537
	TypeLEHO     Type = 65538
	TypeVPN      Type = 65539
	TypeGNS2DNS  Type = 65540
	TypeBOX      Type = 65541
	TypeREDIRECT Type = 65551
	TypeEDKEY         = Type(zone.TypeEDKEY) // 65556, zone delegation

	// TypeSTEALTH carries the address of a hush stealth port: peer ID,
	// port name and the port's 256-bit secret (see Stealth). The GANA
	// registry leaves numbers above 0xFFFF0000 for private use, without
	// exclusivity. 0xFFFF5354 ends in ASCII "ST".
	TypeSTEALTH Type = 0xFFFF5354
)

var typeNames = map[Type]string{
	TypeA: "A", TypeNS: "NS", TypeCNAME: "CNAME", TypePTR: "PTR", TypeMX: "MX",
	TypeTXT: "TXT", TypeAAAA: "AAAA", TypeSRV: "SRV", TypeTLSA: "TLSA",
	TypePKEY: "PKEY", TypeNICK: "NICK", TypeLEHO: "LEHO", TypeVPN: "VPN",
	TypeGNS2DNS: "GNS2DNS", TypeBOX: "BOX", TypeREDIRECT: "REDIRECT",
	TypeEDKEY: "EDKEY", TypeSTEALTH: "STEALTH",
}

// String returns the type's name, or "TYPE" and the number for types
// this package does not know.
func (t Type) String() string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return "TYPE" + strconv.FormatUint(uint64(t), 10)
}

// TypeByName returns the type with the given name, ignoring case. It also
// accepts "TYPE" followed by a decimal number, as String prints unknown
// types.
func TypeByName(name string) (Type, error) {
	upper := strings.ToUpper(name)
	for t, n := range typeNames {
		if n == upper {
			return t, nil
		}
	}
	if rest, ok := strings.CutPrefix(upper, "TYPE"); ok {
		if n, err := strconv.ParseUint(rest, 10, 32); err == nil {
			return Type(n), nil
		}
	}
	return 0, fmt.Errorf("record: unknown record type %q", name)
}

// IsDelegation reports whether t delegates to another zone (PKEY, EDKEY).
func (t Type) IsDelegation() bool { return t == TypePKEY || t == TypeEDKEY }
