package record

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidValue is wrapped by errors from ParseValue and FormatValue.
var ErrInvalidValue = errors.New("invalid record value")

// codec converts one record type between its text form and its data.
type codec struct {
	parse  func(text string) ([]byte, error)
	format func(data []byte) (string, error)
}

var codecs map[Type]codec

func init() {
	codecs = map[Type]codec{
		TypeA: {parseA, formatA}, TypeAAAA: {parseAAAA, formatAAAA},
		TypeNS: {parseName, formatName}, TypeCNAME: {parseName, formatName}, TypePTR: {parseName, formatName},
		TypeMX: {parseMX, formatMX}, TypeTXT: {parseString, formatString},
		TypeSRV: {parseSRV, formatSRV}, TypeTLSA: {parseTLSA, formatTLSA},
		TypePKEY:  {zoneKeyParser(TypePKEY), zoneKeyFormatter(TypePKEY)},
		TypeEDKEY: {zoneKeyParser(TypeEDKEY), zoneKeyFormatter(TypeEDKEY)},
		TypeNICK:  {parseString, formatString}, TypeLEHO: {parseString, formatString},
		TypeREDIRECT: {parseString, formatString},
		TypeGNS2DNS:  {parseGNS2DNS, formatGNS2DNS}, TypeVPN: {parseVPN, formatVPN},
		TypeBOX: {parseBOX, formatBOX}, TypeSTEALTH: {parseStealthText, formatStealthText},
	}
}

// ParseValue converts the text form of a value of type t, as
// gnunet-namestore -V takes it, to record data.
func ParseValue(t Type, text string) ([]byte, error) {
	c, ok := codecs[t]
	if !ok {
		return nil, fmt.Errorf("record: %w: no text form for record type %s", ErrInvalidValue, t)
	}
	data, err := c.parse(text)
	if err != nil {
		return nil, fmt.Errorf("record: %w: %s value %q: %w", ErrInvalidValue, t, text, err)
	}
	return data, nil
}

// FormatValue returns the text form of record data of type t, as
// gnunet-namestore prints it.
func FormatValue(t Type, data []byte) (string, error) {
	c, ok := codecs[t]
	if !ok {
		return "", fmt.Errorf("record: %w: no text form for record type %s", ErrInvalidValue, t)
	}
	text, err := c.format(data)
	if err != nil {
		return "", fmt.Errorf("record: %w: %s data %x: %w", ErrInvalidValue, t, data, err)
	}
	return text, nil
}

// ParseTypedValue parses "TYPE VALUE", for example "A 192.0.2.1" or
// "MX 10 mail.example.com", into the type and the record data.
func ParseTypedValue(text string) (Type, []byte, error) {
	name, value, ok := strings.Cut(strings.TrimSpace(text), " ")
	if !ok {
		return 0, nil, fmt.Errorf("record: %w: %q is not of the form \"TYPE VALUE\"", ErrInvalidValue, text)
	}
	t, err := TypeByName(name)
	if err != nil {
		return 0, nil, err
	}
	data, err := ParseValue(t, strings.TrimSpace(value))
	return t, data, err
}
