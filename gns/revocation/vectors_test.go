package revocation

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

type revocationVector struct {
	Name          string `json:"name"`
	ZoneType      string `json:"zone_type"`
	PrivateKey    string `json:"private_key"`
	ZTLD          string `json:"ztld"`
	Difficulty    int    `json:"difficulty"`
	Epochs        int    `json:"epochs"`
	SignedMessage string `json:"signed_message"`
	StaleMessage  string `json:"stale_signed_message"`
	Proof         string `json:"proof"`
}

func loadVectors(t *testing.T) []revocationVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/rfc9498-revocation.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Revocations []revocationVector }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Revocations
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	return b
}

func (v revocationVector) privateKey(t *testing.T) *zone.PrivateKey {
	t.Helper()
	newKey := zone.NewEDKEY
	if v.ZoneType == "PKEY" {
		newKey = zone.NewPKEY
	}
	p, err := newKey(unhex(t, v.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (v revocationVector) proof(t *testing.T) *Proof {
	t.Helper()
	p, err := ParseProof(unhex(t, v.Proof))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// RFC 9498, section "Zone Revocation": the proof encodes back to the same bytes and
// belongs to the zone of the private key.
func TestRFC9498RevocationLayout(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			p := v.proof(t)
			if got := p.Marshal(); !bytes.Equal(got, unhex(t, v.Proof)) {
				t.Errorf("Marshal = %x, expected %s", got, v.Proof)
			}
			if p.Zone.String() != v.ZTLD {
				t.Errorf("zone = %s, expected %s", p.Zone, v.ZTLD)
			}
			if p.Zone != v.privateKey(t).Public() {
				t.Errorf("proof zone %s is not the zone of the private key", p.Zone)
			}
			if p.TTL != time.Duration(v.Epochs)*EpochLength {
				t.Errorf("TTL = %v, expected %d epochs", p.TTL, v.Epochs)
			}
		})
	}
}

// RFC 9498, section "Zone Revocation": the signature verifies over the message rebuilt
// from the proof, and signing again reproduces it byte for byte.
//
// One source lists the R1 message with the timestamp of R3, an earlier
// run for the same zone. The signature in the R1 proof covers the
// proof's own timestamp, so the stale message must not verify.
func TestRFC9498RevocationSignature(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			p := v.proof(t)
			if got := p.SignedMessage(); !bytes.Equal(got, unhex(t, v.SignedMessage)) {
				t.Errorf("signed message = %x, expected %s", got, v.SignedMessage)
			}
			if err := p.VerifySignature(); err != nil {
				t.Fatal(err)
			}
			if v.StaleMessage != "" && p.Zone.Verify(unhex(t, v.StaleMessage), p.Signature) {
				t.Errorf("signature verifies over the stale message %s", v.StaleMessage)
			}
			again := Sign(v.privateKey(t), p.Timestamp, p.TTL)
			if again.Signature != p.Signature {
				t.Errorf("signature = %x, expected %x", again.Signature, p.Signature)
			}
		})
	}
}

// RFC 9498, section "Zone Revocation": the proof of work reaches D' = D + epochs = 7
// and keeps the revocation valid until the end of epochs + 1 epochs,
// plus a tenth of an epoch.
func TestRFC9498RevocationProofOfWork(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			p := v.proof(t)
			if score := p.Score(); score != v.Difficulty+v.Epochs {
				t.Errorf("score = %d, expected %d", score, v.Difficulty+v.Epochs)
			}
			now := p.Timestamp.Add(24 * time.Hour)
			exp, err := p.Check(now, v.Difficulty)
			if err != nil {
				t.Fatal(err)
			}
			want := p.Timestamp.Add(time.Duration(v.Epochs+1)*EpochLength + EpochLength/10)
			if !exp.Equal(want) {
				t.Errorf("expiration = %v, expected %v", exp, want)
			}
			if _, err := p.Check(exp, v.Difficulty); err == nil {
				t.Errorf("Check at the expiration %v succeeded", exp)
			}
			if _, err := p.Check(now, v.Difficulty+v.Epochs+1); err == nil {
				t.Errorf("Check with difficulty %d succeeded", v.Difficulty+v.Epochs+1)
			}
		})
	}
}
