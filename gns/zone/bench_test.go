package zone

import (
	"encoding/hex"
	"testing"
)

// benchmarkVerifyOpen measures what a resolver does with each block it
// receives: parse, verify the signature, check the derived key and
// decrypt.
func benchmarkVerifyOpen(b *testing.B, v rfcVector) {
	raw, _ := hex.DecodeString(v.RRBlock)
	zk, err := ParsePublicKey(v.ZTLD)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		blk, err := ParseBlock(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := blk.Verify(); err != nil {
			b.Fatal(err)
		}
		if _, err := blk.Open(zk, v.Label); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}

func BenchmarkVerifyOpenPKEY(b *testing.B) {
	benchmarkVerifyOpen(b, loadRFCVectors(b)[1])
}

func BenchmarkVerifyOpenEDKEY(b *testing.B) {
	benchmarkVerifyOpen(b, loadRFCVectors(b)[3])
}

func BenchmarkSealBlock(b *testing.B) {
	for _, p := range generateKeys(b) {
		b.Run(p.Type().String(), func(b *testing.B) {
			rdata := make([]byte, 128)
			for b.Loop() {
				if _, err := SealBlock(p, "www", rdata, Forever); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
