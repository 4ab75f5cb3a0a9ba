package revocation

import (
	"encoding/hex"
	"encoding/json"
	"os"
)

// hexSeeds returns the proofs of the test vectors as fuzz seeds.
func hexSeeds() ([][]byte, error) {
	raw, err := os.ReadFile("testdata/rfc9498-revocation.json")
	if err != nil {
		return nil, err
	}
	var doc struct{ Revocations []revocationVector }
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var out [][]byte
	for _, v := range doc.Revocations {
		b, err := hex.DecodeString(v.Proof)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
