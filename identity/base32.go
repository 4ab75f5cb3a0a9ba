package identity

import (
	"fmt"
	"strings"
)

// alphabet is GNUnet's variant of Crockford's Base32 (RFC 9498, section 9.5,
// "Base32GNS"): digits and upper-case letters without I, L, O and U.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// decodeTable maps an input byte to its 5-bit value, or 0xff when invalid.
// Decoding is case-insensitive and reads O as 0, I and L as 1, and U as V,
// as GNUnet's decoder does.
var decodeTable = buildDecodeTable()

func buildDecodeTable() [256]byte {
	var t [256]byte
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
		t[alphabet[i]|0x20] = byte(i) // lower case
	}
	for _, alias := range []struct{ from, to byte }{{'O', '0'}, {'I', '1'}, {'L', '1'}, {'U', 'V'}} {
		t[alias.from] = t[alias.to]
		t[alias.from|0x20] = t[alias.to]
	}
	return t
}

// EncodedLen returns the length of the Base32GNS encoding of n bytes.
func EncodedLen(n int) int { return (n*8 + 4) / 5 }

// Base32Encode encodes data as Base32GNS: the bits of data, most significant
// first, in groups of five, with the last group padded by zero bits. No
// padding characters are written.
func Base32Encode(data []byte) string {
	var sb strings.Builder
	sb.Grow(EncodedLen(len(data)))
	var acc uint32
	bits := 0
	for _, b := range data {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			sb.WriteByte(alphabet[(acc>>uint(bits))&31])
		}
	}
	if bits > 0 {
		sb.WriteByte(alphabet[(acc<<uint(5-bits))&31])
	}
	return sb.String()
}

// Base32Decode decodes a Base32GNS string. It rejects characters outside the
// alphabet and its aliases, and trailing bits that do not fill a whole byte
// unless they are zero.
func Base32Decode(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)*5/8)
	var acc uint32
	bits := 0
	for i := 0; i < len(s); i++ {
		v := decodeTable[s[i]]
		if v == 0xff {
			return nil, fmt.Errorf("base32: invalid character %q at position %d", s[i], i)
		}
		acc = acc<<5 | uint32(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>uint(bits)))
		}
	}
	if bits >= 5 || acc&(1<<uint(bits)-1) != 0 {
		return nil, fmt.Errorf("base32: invalid length %d or non-zero trailing bits", len(s))
	}
	return out, nil
}
