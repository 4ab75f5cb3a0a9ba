package core

import (
	"crypto/subtle"
	"errors"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// X25519 (RFC 7748) on the field arithmetic of filippo.io/edwards25519.
// crypto/ecdh computes a private key's public key whenever it parses one,
// a full scalar multiplication even for keys used only in DH. Working on
// clamped scalars directly avoids that, and the public key of an ephemeral
// scalar comes from a fixed-base multiplication on the Edwards curve, which
// uses precomputed tables and is several times faster than the ladder.

// errLowOrder is returned when DH yields the all-zero secret, which happens
// exactly when the peer's point has small order (RFC 7748, section 6.1).
var errLowOrder = errors.New("core: X25519 with a low-order point")

// a24 is (486662 - 2) / 4, the ladder constant of Curve25519 (RFC 7748,
// section 5).
const a24 = 121665

// clampScalar copies k and clamps it as RFC 7748, section 5, decodeScalar25519.
func clampScalar(k []byte) [keySize]byte {
	s := [keySize]byte(k)
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	return s
}

// x25519Public returns the public key of a clamped scalar.
func x25519Public(scalar *[keySize]byte) ([]byte, error) {
	s, err := edwards25519.NewScalar().SetBytesWithClamping(scalar[:])
	if err != nil {
		return nil, err
	}
	return new(edwards25519.Point).ScalarBaseMult(s).BytesMontgomery(), nil
}

// x25519 returns X25519(scalar, point), failing on low-order points. The
// Montgomery ladder runs in constant time, with the top bit of point
// ignored as RFC 7748 requires.
func x25519(scalar *[keySize]byte, point []byte) ([]byte, error) {
	var x1 field.Element
	if _, err := x1.SetBytes(point); err != nil {
		return nil, errKeySize
	}
	var x2, z2, x3, z3 field.Element
	x2.One()
	z2.Zero()
	x3.Set(&x1)
	z3.One()
	swap := 0
	for t := 254; t >= 0; t-- {
		bit := int(scalar[t/8]>>(t%8)) & 1
		swap ^= bit
		x2.Swap(&x3, swap)
		z2.Swap(&z3, swap)
		swap = bit
		ladderStep(&x1, &x2, &z2, &x3, &z3)
	}
	x2.Swap(&x3, swap)
	z2.Swap(&z3, swap)
	out := new(field.Element).Multiply(&x2, z2.Invert(&z2)).Bytes()
	if subtle.ConstantTimeCompare(out, make([]byte, keySize)) == 1 {
		return nil, errLowOrder
	}
	return out, nil
}

// ladderStep is one differential addition and doubling of the ladder.
func ladderStep(x1, x2, z2, x3, z3 *field.Element) {
	var a, aa, b, bb, e, c, d, da, cb field.Element
	a.Add(x2, z2)
	aa.Square(&a)
	b.Subtract(x2, z2)
	bb.Square(&b)
	e.Subtract(&aa, &bb)
	c.Add(x3, z3)
	d.Subtract(x3, z3)
	da.Multiply(&d, &a)
	cb.Multiply(&c, &b)
	x3.Add(&da, &cb)
	x3.Square(x3)
	z3.Subtract(&da, &cb)
	z3.Square(z3)
	z3.Multiply(z3, x1)
	x2.Multiply(&aa, &bb)
	z2.Mult32(&e, a24)
	z2.Add(z2, &aa)
	z2.Multiply(z2, &e)
}
