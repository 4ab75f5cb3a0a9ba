package gns

import (
	"fmt"
	"strings"

	"github.com/hush-overlay/hush/gns/record"
)

// flagWords are the flag names of the zone text format and of RecordInfo.
// Relative expiration is not among them: the expiration text shows it.
var flagWords = []struct {
	flag record.Flags
	word string
}{
	{record.FlagPrivate, "private"},
	{record.FlagShadow, "shadow"},
	{record.FlagSupplemental, "supplemental"},
	{record.FlagCritical, "critical"},
}

// ParseFlags reads "-" (no flags) or a comma-separated list of private,
// shadow, supplemental and critical, in any case.
func ParseFlags(s string) (record.Flags, error) {
	if s == "-" || s == "" {
		return 0, nil
	}
	var flags record.Flags
	for _, word := range strings.Split(s, ",") {
		f, ok := flagByWord(strings.ToLower(strings.TrimSpace(word)))
		if !ok {
			return 0, fmt.Errorf("flags %q: unknown flag %q; use private, shadow, supplemental, critical or -", s, word)
		}
		flags |= f
	}
	return flags, nil
}

func flagByWord(word string) (record.Flags, bool) {
	for _, fw := range flagWords {
		if fw.word == word {
			return fw.flag, true
		}
	}
	return 0, false
}

// FlagWords returns the names of the flags set in f, in a fixed order.
func FlagWords(f record.Flags) []string {
	out := []string{}
	for _, fw := range flagWords {
		if f&fw.flag != 0 {
			out = append(out, fw.word)
		}
	}
	return out
}

// FormatFlags returns the text form that ParseFlags reads.
func FormatFlags(f record.Flags) string {
	words := FlagWords(f)
	if len(words) == 0 {
		return "-"
	}
	return strings.Join(words, ",")
}

// RecordInfo is a JSON-friendly view of one record, for listings and
// lookup results.
type RecordInfo struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	Value      string   `json:"value"`
	Expiration string   `json:"expiration"`
	Flags      []string `json:"flags"`
}

// NewRecordInfo describes r found under name. Data that has no text form
// is shown in hex.
func NewRecordInfo(name string, r record.Record) RecordInfo {
	value, err := record.FormatValue(r.Type, r.Data)
	if err != nil {
		value = fmt.Sprintf("%x", r.Data)
	}
	return RecordInfo{
		Name:       name,
		Type:       r.Type.String(),
		Value:      value,
		Expiration: FormatExpiration(r),
		Flags:      FlagWords(r.Flags),
	}
}

// ParseRecord builds a record from the text of its fields, as a command
// line or a zone file gives them. Errors name the field that is invalid.
func ParseRecord(typ, value, expiration, flags string) (record.Record, error) {
	t, err := record.TypeByName(typ)
	if err != nil {
		return record.Record{}, fmt.Errorf("gns: type: %w", err)
	}
	data, err := record.ParseValue(t, value)
	if err != nil {
		return record.Record{}, fmt.Errorf("gns: value: %w", err)
	}
	exp, relative, err := ParseExpiration(expiration)
	if err != nil {
		return record.Record{}, fmt.Errorf("gns: %w", err)
	}
	f, err := ParseFlags(flags)
	if err != nil {
		return record.Record{}, fmt.Errorf("gns: %w", err)
	}
	return record.Record{Type: t, Data: data, Expiration: exp, Flags: f | relative}, nil
}
