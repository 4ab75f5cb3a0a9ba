package zone

import (
	"crypto/sha512"
	"encoding/hex"

	"filippo.io/edwards25519"
)

// QuerySize is the size of a storage query in bytes.
const QuerySize = sha512.Size

// Query is the DHT key under which a block is stored: q = SHA-512(zk')
// (RFC 9498, section "The Storage Key").
type Query [QuerySize]byte

// String returns the query in lower-case hex.
func (q Query) String() string { return hex.EncodeToString(q[:]) }

// derivation is the blinding factor h for one zone key and label.
type derivation struct {
	raw    []byte               // h as the KDF returns it, 64 bytes
	scalar *edwards25519.Scalar // h read as a big-endian integer, mod L
}

// derive computes h = KDF(64, "key-derivation", zk, label || "gns"). The
// label must already be normalised.
func derive(zk [KeySize]byte, label string) derivation {
	raw := gnunetKDF(64, []byte("key-derivation"), zk[:], []byte(label), []byte("gns"))
	return derivation{raw: raw, scalar: scalarFromBigEndian(raw)}
}

// scalarFromBigEndian reduces a big-endian integer of at most 64 bytes
// modulo L, the order of the Ed25519 group.
func scalarFromBigEndian(be []byte) *edwards25519.Scalar {
	var le [64]byte
	for i, b := range be {
		le[len(be)-1-i] = b
	}
	s, err := new(edwards25519.Scalar).SetUniformBytes(le[:])
	if err != nil {
		panic("zone: scalar from 64 bytes: " + err.Error()) // the length is fixed
	}
	return s
}

// Derive returns the derived zone key zk' = (h mod L)·zk for label
// (RFC 9498, sections "PKEY" and "EDKEY"). The label is normalised first.
func (k PublicKey) Derive(label string) (PublicKey, error) {
	label, err := NormalizeLabel(label)
	if err != nil {
		return PublicKey{}, err
	}
	return k.deriveNormalized(label), nil
}

func (k PublicKey) deriveNormalized(label string) PublicKey {
	h := derive(k.key, label)
	// Both factors are public, so the variable-time multiplication is safe.
	p := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(h.scalar, k.point(), edwards25519.NewScalar())
	d := PublicKey{typ: k.typ}
	copy(d.key[:], p.Bytes())
	return d
}

// Query returns the storage query for label: SHA-512 of the derived key.
func (k PublicKey) Query(label string) (Query, error) {
	d, err := k.Derive(label)
	if err != nil {
		return Query{}, err
	}
	return QueryOf(d), nil
}

// QueryOf returns SHA-512 of a derived key's 32 bytes, without the zone
// type.
func QueryOf(derived PublicKey) Query { return sha512.Sum512(derived.key[:]) }
