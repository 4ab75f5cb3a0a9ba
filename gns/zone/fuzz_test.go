package zone

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// blockSeeds returns the RRBLOCKs of both vector files.
func blockSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	for _, file := range []string{"testdata/rfc9498.json", "testdata/gnunet-0.19-blocks.json"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		var doc struct {
			Blocks []struct{ RRBlock string }
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			tb.Fatal(err)
		}
		for _, b := range doc.Blocks {
			blk, err := hex.DecodeString(b.RRBlock)
			if err != nil {
				tb.Fatal(err)
			}
			seeds = append(seeds, blk)
		}
	}
	return seeds
}

func FuzzParseBlock(f *testing.F) {
	for _, s := range blockSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte{})
	zones := loadRFCVectors(f)
	pkey, _ := ParsePublicKey(zones[0].ZTLD)
	edkey, _ := ParsePublicKey(zones[2].ZTLD)
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := ParseBlock(b)
		if err != nil {
			return
		}
		if got := blk.Marshal(); !bytes.Equal(got, b) {
			t.Fatalf("Marshal(ParseBlock(x)) = %x, expected %x", got, b)
		}
		for n := 0; n < len(b); n += 1 + n/8 {
			if _, err := ParseBlock(b[:n]); err == nil {
				t.Fatalf("ParseBlock accepted a %d-byte prefix", n)
			}
		}
		_ = blk.Verify()
		_, _ = blk.Open(pkey, "testdelegation")
		_, _ = blk.Open(edkey, "testdelegation")
	})
}

func FuzzNormalizeLabel(f *testing.F) {
	for _, s := range []string{"www", "天下無敵", "e\u0301", "@", "a.b", "", "\xff", strings.Repeat("x", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeLabel(s)
		if err != nil {
			return
		}
		if n == "" || len(n) > MaxLabelSize || strings.Contains(n, ".") || !utf8.ValidString(n) {
			t.Fatalf("NormalizeLabel(%q) = %q, which is not a valid label", s, n)
		}
		again, err := NormalizeLabel(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeLabel is not idempotent on %q: %q, %v", n, again, err)
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	for _, v := range loadRFCVectors(f) {
		f.Add(v.ZTLD)
		f.Add(strings.ToLower(v.ZTLD))
	}
	f.Add("000G0037FH3QTBCK15Y8BCCNRVWPV17ZC7TSGB1C9ZG2TPGHZVFV1GMG3")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		if err != nil {
			return
		}
		back, err := ParsePublicKey(k.String())
		if err != nil || back != k {
			t.Fatalf("ParsePublicKey(%q) = %v, %v, expected %v", k.String(), back, err, k)
		}
		if _, err := k.Derive("www"); err != nil {
			t.Fatalf("Derive on parsed key %s: %v", k, err)
		}
	})
}
