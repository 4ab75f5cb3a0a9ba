package interop

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// encodeLookupResponse is the namecache's side of the protocol, for round
// trips.
func encodeLookupResponse(r lookupResponse) []byte {
	msg := binary.BigEndian.AppendUint16(nil, uint16(responseHeaderSize+len(r.block)))
	msg = binary.BigEndian.AppendUint16(msg, msgLookupBlockResponse)
	msg = binary.BigEndian.AppendUint32(msg, r.id)
	msg = binary.BigEndian.AppendUint64(msg, r.expiration)
	return append(msg, r.block...)
}

func TestLookupBlockEncoding(t *testing.T) {
	var q zone.Query
	for i := range q {
		q[i] = byte(i)
	}
	msg := encodeLookupBlock(7, q)
	want := append([]byte{0, 72, 0x01, 0xaf, 0, 0, 0, 7}, q[:]...)
	if !bytes.Equal(msg, want) {
		t.Errorf("LOOKUP_BLOCK = %x, expected %x", msg, want)
	}
}

func TestLookupResponseWithoutBlock(t *testing.T) {
	resp, err := parseLookupResponse(encodeLookupResponse(lookupResponse{id: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if resp.id != 3 || len(resp.block) != 0 {
		t.Errorf("response = %+v, expected id 3 without block", resp)
	}
}

func FuzzParseLookupResponse(f *testing.F) {
	f.Add(encodeLookupResponse(lookupResponse{id: 7, expiration: 1811851200000000, block: []byte{0, 0, 0, 8, 0, 1, 0, 0}}))
	f.Add(encodeLookupResponse(lookupResponse{id: 1}))
	f.Add([]byte{0, 4, 1, 0xb0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		resp, err := parseLookupResponse(msg)
		if err != nil {
			return
		}
		if again := encodeLookupResponse(resp); !bytes.Equal(again, msg) {
			t.Fatalf("round trip: %x became %x", msg, again)
		}
		for i := range msg {
			if _, err := parseLookupResponse(msg[:i]); err == nil {
				t.Fatalf("prefix of %d bytes of %x parsed without error", i, msg)
			}
		}
		if got, err := readMessage(bytes.NewReader(msg)); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("readMessage(%x) = %x, %v", msg, got, err)
		}
	})
}

// formatListing writes records the way `gnunet-namestore -D -r` prints
// them, for round trips.
func formatListing(records []storedRecord) string {
	var b strings.Builder
	label := ""
	for _, r := range records {
		if r.label != label {
			label = r.label
			fmt.Fprintf(&b, "%s.zone:\n", label)
		}
		fmt.Fprintf(&b, "  %s %d [%s] %s\n", r.record.Type, r.record.Expiration, flagText(r.record.Flags), r.text)
	}
	return b.String()
}

func flagText(flags record.Flags) string {
	letters := ""
	if flags&record.FlagPrivate == 0 {
		letters += "p"
	}
	for _, c := range "rCS" {
		if flags&flagLetters[c] != 0 {
			letters += string(c)
		}
	}
	return letters
}

func FuzzParseListing(f *testing.F) {
	f.Add("www.pz:\n  TXT 1811851200000000 [p] hush interop\n  A 1811851200000000 [p] 192.0.2.10\n" +
		"ez.pz:\n  EDKEY 1811851200000000 [pC] 000G05128SP1ZHKT7DB8BVNQ87R4X27TGB7V3VG8SYEYWBAQFY9HXJNC0G\n")
	f.Add("rel.ez:\n  A 86400000000 [pr] 192.0.2.30\nwww.ez:\n  TXT 1 [] secret\n  A 2 [pS] 192.0.2.21\n")
	f.Add("  A 1 [p] 192.0.2.1\n")
	f.Fuzz(func(t *testing.T, out string) {
		records, err := parseListing(out)
		if err != nil {
			return
		}
		if len(records) == 0 || strings.ContainsAny(out, "\r\t") {
			return // blank lines only, or whitespace the round trip does not keep
		}
		again, err := parseListing(formatListing(records))
		if err != nil {
			t.Fatalf("reparsing %q: %v", formatListing(records), err)
		}
		if !reflect.DeepEqual(again, records) {
			t.Fatalf("round trip of %q: %+v became %+v", out, records, again)
		}
	})
}

func FuzzParseCacheResponse(f *testing.F) {
	f.Add([]byte{0, 12, 0x01, 0xb2, 0, 0, 0, 9, 0, 0, 0, 1})
	f.Add([]byte{0, 12, 0x01, 0xb2, 0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, msg []byte) {
		id, result, err := parseCacheResponse(msg)
		if err != nil {
			return
		}
		again := binary.BigEndian.AppendUint16(nil, cacheResponseSize)
		again = binary.BigEndian.AppendUint16(again, msgBlockCacheResponse)
		again = binary.BigEndian.AppendUint32(again, id)
		again = binary.BigEndian.AppendUint32(again, uint32(result))
		if !bytes.Equal(again, msg) {
			t.Fatalf("round trip: %x became %x", msg, again)
		}
		for i := range msg {
			if _, _, err := parseCacheResponse(msg[:i]); err == nil {
				t.Fatalf("prefix of %d bytes of %x parsed without error", i, msg)
			}
		}
	})
}

func TestBlockCacheEncoding(t *testing.T) {
	msg := encodeBlockCache(9, 0x0102030405060708, []byte{0xaa, 0xbb})
	want := []byte{0, 18, 0x01, 0xb1, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 0xaa, 0xbb}
	if !bytes.Equal(msg, want) {
		t.Errorf("BLOCK_CACHE = %x, expected %x", msg, want)
	}
}
