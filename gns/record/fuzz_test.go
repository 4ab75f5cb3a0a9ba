package record

import (
	"bytes"
	"encoding/hex"
	"slices"
	"testing"
)

// fuzzTypes are the types with a text form, indexed by the fuzzers'
// first argument.
var fuzzTypes = []Type{
	TypeA, TypeAAAA, TypeNS, TypeCNAME, TypePTR, TypeMX, TypeTXT, TypeSRV, TypeTLSA,
	TypePKEY, TypeEDKEY, TypeNICK, TypeLEHO, TypeREDIRECT, TypeGNS2DNS, TypeVPN, TypeBOX, TypeSTEALTH,
}

func fuzzType(i uint8) Type { return fuzzTypes[int(i)%len(fuzzTypes)] }

func FuzzParseSet(f *testing.F) {
	for _, file := range []string{"rfc9498.json", "gnunet-0.19-blocks.json"} {
		for _, v := range loadVectors(f, file) {
			f.Add(unhex(f, v.RData))
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, rdata []byte) {
		records, err := ParseSet(rdata)
		if err != nil {
			return
		}
		again, err := MarshalSet(records)
		if err != nil {
			t.Fatalf("MarshalSet of parsed records: %v", err)
		}
		back, err := ParseSet(again)
		if err != nil || !equalRecords(back, records) {
			t.Fatalf("ParseSet(MarshalSet(records)) = %+v, %v, expected %+v", back, err, records)
		}
		for n := range len(rdata) {
			prefix, err := ParseSet(rdata[:n])
			if err == nil && !equalRecords(prefix, records[:len(prefix)]) {
				t.Fatalf("a %d-byte prefix parses to other records", n)
			}
		}
	})
}

func equalRecords(a, b []Record) bool {
	return slices.EqualFunc(a, b, func(x, y Record) bool {
		return x.Expiration == y.Expiration && x.Type == y.Type && x.Flags == y.Flags && bytes.Equal(x.Data, y.Data)
	})
}

// FuzzParseValue checks every text parser: text that parses prints back
// to text that parses to the same data.
func FuzzParseValue(f *testing.F) {
	for _, c := range valueCases {
		f.Add(uint8(slices.Index(fuzzTypes, c.typ)), c.text)
	}
	f.Add(uint8(slices.Index(fuzzTypes, TypeVPN)), "6 "+testPeer+" ssh")
	f.Add(uint8(slices.Index(fuzzTypes, TypeSTEALTH)), testPeer+" port "+secret)
	f.Fuzz(func(t *testing.T, i uint8, text string) {
		typ := fuzzType(i)
		data, err := ParseValue(typ, text)
		if err != nil {
			return
		}
		printed, err := FormatValue(typ, data)
		if err != nil {
			t.Fatalf("FormatValue(%s, %x) of parsed %q: %v", typ, data, text, err)
		}
		again, err := ParseValue(typ, printed)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("ParseValue(%s, %q) = %x, %v, expected %x", typ, printed, again, err, data)
		}
	})
}

// FuzzFormatValue checks every printer: data that prints parses back to
// the same data.
func FuzzFormatValue(f *testing.F) {
	for _, c := range valueCases {
		data, _ := hex.DecodeString(c.data)
		f.Add(uint8(slices.Index(fuzzTypes, c.typ)), data)
	}
	f.Fuzz(func(t *testing.T, i uint8, data []byte) {
		typ := fuzzType(i)
		text, err := FormatValue(typ, data)
		if err != nil {
			return
		}
		back, err := ParseValue(typ, text)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("ParseValue(%s, %q) = %x, %v, expected %x", typ, text, back, err, data)
		}
	})
}

func FuzzDNSName(f *testing.F) {
	for _, s := range []string{"www.example.com", "www.+", "bücher.example", "", ".", "a..b", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		data, err := appendName(nil, name)
		if err != nil {
			return
		}
		back, n, err := readName(data)
		if err != nil || n != len(data) {
			t.Fatalf("readName(appendName(%q)) = %q, %d, %v", name, back, n, err)
		}
		again, err := appendName(nil, back)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("appendName(%q) = %x, %v, expected %x", back, again, err, data)
		}
	})
}
