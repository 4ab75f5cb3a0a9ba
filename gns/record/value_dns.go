package record

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

func parseA(text string) ([]byte, error) {
	a, err := netip.ParseAddr(text)
	if err != nil || !a.Is4() {
		return nil, errors.New("expected an IPv4 address such as 192.0.2.1")
	}
	b := a.As4()
	return b[:], nil
}

func formatA(data []byte) (string, error) {
	if len(data) != 4 {
		return "", fmt.Errorf("A data has %d bytes, expected 4", len(data))
	}
	return netip.AddrFrom4([4]byte(data)).String(), nil
}

func parseAAAA(text string) ([]byte, error) {
	a, err := netip.ParseAddr(text)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return nil, errors.New("expected an IPv6 address such as 2001:db8::1")
	}
	b := a.As16()
	return b[:], nil
}

func formatAAAA(data []byte) (string, error) {
	if len(data) != 16 {
		return "", fmt.Errorf("AAAA data has %d bytes, expected 16", len(data))
	}
	return netip.AddrFrom16([16]byte(data)).String(), nil
}

// parseName and formatName handle NS, CNAME and PTR: one DNS name.
func parseName(text string) ([]byte, error) { return appendName(nil, text) }

func formatName(data []byte) (string, error) {
	name, n, err := readName(data)
	if err != nil {
		return "", err
	}
	if n != len(data) {
		return "", fmt.Errorf("%d bytes follow the name", len(data)-n)
	}
	return name, nil
}

// parseString and formatString handle TXT, NICK, LEHO and REDIRECT, whose
// data GNUnet stores as the UTF-8 text itself, without a terminator.
func parseString(text string) ([]byte, error) {
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return nil, errors.New("text must be UTF-8 without NUL characters")
	}
	return []byte(text), nil
}

func formatString(data []byte) (string, error) {
	s := string(data)
	if _, err := parseString(s); err != nil {
		return "", err
	}
	return s, nil
}

// MX: "PREFERENCE HOST", data be16 preference then the host name.
// GNUnet 0.19.3 prints and reads this form. Its parser splits at white
// space only, so a comma stays part of the host: "20 ,mx.example.org"
// has the host ",mx.example.org" there and in ParseValue alike.
//
// ParseValue also takes "PREFERENCE,HOST" without any white space, the
// form that GNUnet's gnsrecord.c of 2013 read and printed.
// NOTE: GNUnet 0.19.3 reads "20,mx.example.org" as the host
// ",mx.example.org", so text in the comma form means other data there.
// FormatValue never prints the comma form.
func parseMX(text string) ([]byte, error) {
	f := asciiFields(text)
	if len(f) == 1 {
		f = strings.SplitN(f[0], ",", 2)
	}
	if len(f) != 2 || f[1] == "" {
		return nil, errors.New(`expected "PREFERENCE HOST" such as "10 mail.example.com"`)
	}
	p, err := parseUint(f[0], 16, "preference")
	if err != nil {
		return nil, err
	}
	return appendName(binary.BigEndian.AppendUint16(nil, uint16(p)), f[1])
}

func formatMX(data []byte) (string, error) {
	if len(data) < 3 {
		return "", fmt.Errorf("MX data has %d bytes, expected at least 3", len(data))
	}
	host, err := formatName(data[2:])
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %s", binary.BigEndian.Uint16(data), host), nil
}

// asciiFields splits text at runs of ASCII white space, as the C library's
// scanf does for GNUnet's parsers. Other Unicode spaces, which may appear
// in a host name decoded from Punycode, stay inside their field.
func asciiFields(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r < utf8.RuneSelf && unicode.IsSpace(r)
	})
}

// SRV: "PRIORITY WEIGHT PORT TARGET", data three be16 then the target.
func parseSRV(text string) ([]byte, error) {
	f := asciiFields(text)
	if len(f) != 4 {
		return nil, errors.New(`expected "PRIORITY WEIGHT PORT TARGET"`)
	}
	var data []byte
	for i, name := range []string{"priority", "weight", "port"} {
		v, err := parseUint(f[i], 16, name)
		if err != nil {
			return nil, err
		}
		data = binary.BigEndian.AppendUint16(data, uint16(v))
	}
	return appendName(data, f[3])
}

func formatSRV(data []byte) (string, error) {
	if len(data) < 7 {
		return "", fmt.Errorf("SRV data has %d bytes, expected at least 7", len(data))
	}
	target, err := formatName(data[6:])
	if err != nil {
		return "", err
	}
	be := binary.BigEndian
	return fmt.Sprintf("%d %d %d %s", be.Uint16(data), be.Uint16(data[2:]), be.Uint16(data[4:]), target), nil
}

// TLSA: "USAGE SELECTOR MATCHING-TYPE HEX", data three bytes then the
// certificate association data.
func parseTLSA(text string) ([]byte, error) {
	f := strings.Fields(text)
	if len(f) != 4 {
		return nil, errors.New(`expected "USAGE SELECTOR MATCHING-TYPE HEXDATA"`)
	}
	var data []byte
	for i, name := range []string{"usage", "selector", "matching type"} {
		v, err := parseUint(f[i], 8, name)
		if err != nil {
			return nil, err
		}
		data = append(data, byte(v))
	}
	assoc, err := hex.DecodeString(f[3])
	if err != nil || len(assoc) == 0 {
		return nil, fmt.Errorf("certificate association data %q is not non-empty hex", f[3])
	}
	return append(data, assoc...), nil
}

func formatTLSA(data []byte) (string, error) {
	if len(data) < 4 {
		return "", fmt.Errorf("TLSA data has %d bytes, expected at least 4", len(data))
	}
	return fmt.Sprintf("%d %d %d %x", data[0], data[1], data[2], data[3:]), nil
}

func parseUint(s string, bits int, field string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a decimal number below 2^%d", field, s, bits)
	}
	return v, nil
}
