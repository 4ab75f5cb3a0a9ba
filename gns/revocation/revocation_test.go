package revocation

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

func testKey(t *testing.T) *zone.PrivateKey {
	t.Helper()
	p, err := zone.GenerateEDKEY(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSearchFindsValidProof(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	p := Sign(testKey(t), start, EpochLength)
	s := NewSearch(p, 1, 0, 1<<63)
	steps := 0
	for !s.Step(16) {
		steps++
		if steps > 100 {
			t.Fatal("no proof with difficulty 1 after 1600 hashes")
		}
	}
	for i := 1; i < PowCount; i++ {
		if p.PoW[i-1] >= p.PoW[i] {
			t.Fatalf("POW values %d and %d are not increasing: %d, %d", i-1, i, p.PoW[i-1], p.PoW[i])
		}
	}
	back, err := ParseProof(p.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Check(start.Add(time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := back.Check(start.Add(-time.Hour), 1); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("Check before the timestamp = %v, expected ErrInvalidProof", err)
	}
}

func TestCheckRejectsBadProofs(t *testing.T) {
	v := loadVectors(t)[1]
	now := v.proof(t).Timestamp.Add(time.Hour)
	cases := map[string]func(p *Proof){
		"future timestamp": func(p *Proof) {
			p.Timestamp = now.Add(time.Hour)
			p.Signature = v.privateKey(t).Sign(p.SignedMessage())
		},
		"unsorted pow":    func(p *Proof) { p.PoW[3], p.PoW[4] = p.PoW[4], p.PoW[3] },
		"duplicate pow":   func(p *Proof) { p.PoW[4] = p.PoW[3] },
		"bad signature":   func(p *Proof) { p.Signature[10] ^= 1 },
		"other timestamp": func(p *Proof) { p.Timestamp = p.Timestamp.Add(time.Microsecond) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			p := v.proof(t)
			mutate(p)
			_, err := p.Check(now, v.Difficulty)
			if !errors.Is(err, ErrInvalidProof) {
				t.Errorf("Check = %v, expected ErrInvalidProof", err)
			}
		})
	}
}

func TestParseProofRejectsBadInput(t *testing.T) {
	raw := unhex(t, loadVectors(t)[0].Proof)
	for n := range len(raw) {
		if _, err := ParseProof(raw[:n]); err == nil {
			t.Fatalf("ParseProof accepted a %d-byte prefix", n)
		}
	}
	bad := bytes.Clone(raw)
	bad[16+8*PowCount+3] = 0x99 // unknown zone type
	if _, err := ParseProof(bad); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("ParseProof with an unknown zone type = %v, expected ErrInvalidProof", err)
	}
}

func FuzzParseProof(f *testing.F) {
	raw, err := hexSeeds()
	if err != nil {
		f.Fatal(err)
	}
	for _, r := range raw {
		f.Add(r)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProof(b)
		if err != nil {
			return
		}
		if got := p.Marshal(); !bytes.Equal(got, b) {
			t.Fatalf("Marshal(ParseProof(x)) = %x, expected %x", got, b)
		}
		for n := range len(b) {
			if _, err := ParseProof(b[:n]); err == nil {
				t.Fatalf("ParseProof accepted a %d-byte prefix", n)
			}
		}
		_ = p.VerifySignature()
	})
}
