package zone

import (
	"crypto/hmac"
	"crypto/sha512"
	"hash"
	"math/big"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// PKEY signatures are ECDSA over the Ed25519 group, as GNUnet computes
// them with libgcrypt. The message hash is SHA-512 truncated to its
// leftmost 253 bits, the bit length of the group order L, as in FIPS 186.
// The nonce comes from RFC 6979 with HMAC-SHA512. r is the affine x
// coordinate of k·G reduced modulo L, and s is not normalised to a low
// value.

// orderBits is the bit length of L.
const orderBits = 253

// order is L, the order of the Ed25519 prime-order subgroup.
var order, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// truncatedHash returns SHA-512(message) as an integer, shifted right to
// its leftmost 253 bits.
func truncatedHash(message []byte) *big.Int {
	digest := sha512.Sum512(message)
	return new(big.Int).Rsh(new(big.Int).SetBytes(digest[:]), 512-orderBits)
}

func signECDSA(raw [KeySize]byte, d *edwards25519.Scalar, message []byte) Signature {
	e := truncatedHash(message)
	nonces := newRFC6979(raw, e)
	for {
		k := nonces.next()
		r := affineX(new(edwards25519.Point).ScalarBaseMult(k))
		if r.Equal(edwards25519.NewScalar()) == 1 {
			continue
		}
		// s = k^-1 (e + r·d) mod L
		s := new(edwards25519.Scalar).MultiplyAdd(r, d, scalarFromInt(e))
		s.Multiply(s, new(edwards25519.Scalar).Invert(k))
		if s.Equal(edwards25519.NewScalar()) == 1 {
			continue
		}
		var sig Signature
		copy(sig[:32], reversed(r.Bytes()))
		copy(sig[32:], reversed(s.Bytes()))
		return sig
	}
}

func verifyECDSA(pub *edwards25519.Point, message []byte, sig Signature) bool {
	r, okR := canonicalScalar(sig[:32])
	s, okS := canonicalScalar(sig[32:])
	if !okR || !okS {
		return false
	}
	w := new(edwards25519.Scalar).Invert(s)
	u1 := new(edwards25519.Scalar).Multiply(scalarFromInt(truncatedHash(message)), w)
	u2 := new(edwards25519.Scalar).Multiply(r, w)
	x := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(u2, pub, u1)
	if x.Equal(edwards25519.NewIdentityPoint()) == 1 {
		return false
	}
	return affineX(x).Equal(r) == 1
}

// canonicalScalar reads a big-endian integer that must lie in [1, L-1].
func canonicalScalar(be []byte) (*edwards25519.Scalar, bool) {
	s, err := new(edwards25519.Scalar).SetCanonicalBytes(reversed(be))
	if err != nil || s.Equal(edwards25519.NewScalar()) == 1 {
		return nil, false
	}
	return s, true
}

// affineX returns the affine x coordinate of p, reduced modulo L.
func affineX(p *edwards25519.Point) *edwards25519.Scalar {
	x, _, z, _ := p.ExtendedCoordinates()
	ax := new(field.Element).Multiply(x, new(field.Element).Invert(z))
	var le [64]byte
	copy(le[:], ax.Bytes())
	s, _ := new(edwards25519.Scalar).SetUniformBytes(le[:])
	return s
}

func scalarFromInt(v *big.Int) *edwards25519.Scalar {
	return scalarFromBigEndian(v.FillBytes(make([]byte, 64)))
}

// rfc6979 generates the deterministic nonces of RFC 6979, section 3.2,
// with HMAC-SHA512, q = L and qlen = 253, as libgcrypt does. Each call to
// next continues the sequence, which is what libgcrypt's extra loops do
// when a nonce gives r = 0 or s = 0.
//
// NOTE: the nonce passes through math/big for the range check, which is
// not constant time. The scalar arithmetic after it is.
type rfc6979 struct {
	k, v    []byte
	started bool
}

func newRFC6979(x [KeySize]byte, e *big.Int) *rfc6979 {
	h1 := new(big.Int).Set(e)
	if h1.Cmp(order) >= 0 {
		h1.Sub(h1, order)
	}
	seed := append(x[:], h1.FillBytes(make([]byte, KeySize))...)
	g := &rfc6979{k: make([]byte, sha512.Size), v: make([]byte, sha512.Size)}
	for i := range g.v {
		g.v[i] = 1
	}
	g.k = g.mac(g.v, []byte{0}, seed)
	g.v = g.mac(g.v)
	g.k = g.mac(g.v, []byte{1}, seed)
	g.v = g.mac(g.v)
	return g
}

func (g *rfc6979) mac(parts ...[]byte) []byte {
	var m hash.Hash = hmac.New(sha512.New, g.k)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

func (g *rfc6979) next() *edwards25519.Scalar {
	if g.started {
		g.reseed()
	}
	g.started = true
	for {
		// One HMAC-SHA512 output (512 bits) covers qlen, so T = V.
		g.v = g.mac(g.v)
		k := new(big.Int).Rsh(new(big.Int).SetBytes(g.v), 512-orderBits)
		if k.Sign() > 0 && k.Cmp(order) < 0 {
			return scalarFromInt(k)
		}
		g.reseed()
	}
}

func (g *rfc6979) reseed() {
	g.k = g.mac(g.v, []byte{0})
	g.v = g.mac(g.v)
}
