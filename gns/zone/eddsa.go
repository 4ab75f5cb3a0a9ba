package zone

import (
	"crypto/sha256"
	"crypto/sha512"

	"filippo.io/edwards25519"
)

// signDerivedEdDSA signs with the derived EDKEY scalar d = h·a mod L
// (RFC 9498, section "EDKEY"). The nonce prefix is SHA-256 of the second
// half of SHA-512(seed) and the 64-byte h, so each label gets its own
// nonces. The rest is RFC 8032 Ed25519 with the derived key zk' = d·G.
func signDerivedEdDSA(seedPrefix [32]byte, h derivation, d *edwards25519.Scalar, message []byte) Signature {
	prefix := sha256.New()
	prefix.Write(seedPrefix[:])
	prefix.Write(h.raw)

	zk := new(edwards25519.Point).ScalarBaseMult(d).Bytes()
	r := sha512.New()
	r.Write(prefix.Sum(nil))
	r.Write(message)
	rs, _ := new(edwards25519.Scalar).SetUniformBytes(r.Sum(nil))
	R := new(edwards25519.Point).ScalarBaseMult(rs).Bytes()

	k := sha512.New()
	k.Write(R)
	k.Write(zk)
	k.Write(message)
	ks, _ := new(edwards25519.Scalar).SetUniformBytes(k.Sum(nil))
	S := new(edwards25519.Scalar).MultiplyAdd(ks, d, rs)

	var sig Signature
	copy(sig[:32], R)
	copy(sig[32:], S.Bytes())
	return sig
}
