package zone

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"io"

	"filippo.io/edwards25519"

	"github.com/hush-overlay/hush/identity"
)

// SignatureSize is the size of a PKEY or EDKEY signature in bytes.
const SignatureSize = 64

// Signature is r || s for PKEY (ECDSA, both big-endian) and R || S for
// EDKEY (EdDSA as in RFC 8032).
type Signature [SignatureSize]byte

// PrivateKey is a zone's private key. For PKEY it is the ECDSA scalar d,
// for EDKEY the 32-byte Ed25519 seed. Use GeneratePKEY, GenerateEDKEY,
// NewPKEY, NewEDKEY or ParsePrivateKey to make one.
type PrivateKey struct {
	typ KeyType
	// raw is d as a big-endian integer (PKEY), kept unreduced because
	// RFC 6979 nonces hash these bytes, or the seed (EDKEY).
	raw [KeySize]byte
	// scalar is d mod L (PKEY) or the clamped scalar a from SHA-512(seed)
	// (EDKEY).
	scalar *edwards25519.Scalar
	// prefix is the second half of SHA-512(seed) (EDKEY only).
	prefix [32]byte
	pub    PublicKey
}

// NewPKEY returns the PKEY zone key with the private scalar d, given as a
// 32-byte big-endian integer as RFC 9498 prints it. GNUnet stores the same
// scalar little-endian, and ParsePrivateKey reads that form.
func NewPKEY(d []byte) (*PrivateKey, error) {
	if len(d) != KeySize {
		return nil, fmt.Errorf("zone: %w: PKEY private key has %d bytes, expected %d", ErrInvalidKey, len(d), KeySize)
	}
	p := &PrivateKey{typ: TypePKEY, scalar: scalarFromBigEndian(d)}
	copy(p.raw[:], d)
	if p.scalar.Equal(edwards25519.NewScalar()) == 1 {
		return nil, fmt.Errorf("zone: %w: PKEY private key is zero modulo the group order", ErrInvalidKey)
	}
	p.pub = publicFromScalar(TypePKEY, p.scalar)
	return p, nil
}

// NewEDKEY returns the EDKEY zone key with the given 32-byte Ed25519 seed
// (the private key of RFC 8032).
func NewEDKEY(seed []byte) (*PrivateKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("zone: %w: EDKEY seed has %d bytes, expected %d", ErrInvalidKey, len(seed), ed25519.SeedSize)
	}
	p := &PrivateKey{typ: TypeEDKEY}
	copy(p.raw[:], seed)
	digest := sha512.Sum512(seed)
	s, err := new(edwards25519.Scalar).SetBytesWithClamping(digest[:32])
	if err != nil {
		panic("zone: clamping 32 bytes: " + err.Error()) // the length is fixed
	}
	p.scalar = s
	copy(p.prefix[:], digest[32:])
	p.pub = publicFromScalar(TypeEDKEY, s)
	return p, nil
}

// GeneratePKEY creates a PKEY zone key from 32 bytes of r, clamped as
// GNUnet clamps new ECDSA keys.
func GeneratePKEY(r io.Reader) (*PrivateKey, error) {
	var le [KeySize]byte
	if _, err := io.ReadFull(r, le[:]); err != nil {
		return nil, fmt.Errorf("zone: generate PKEY: %w", err)
	}
	le[0] &= 248
	le[31] &= 127
	le[31] |= 64
	return NewPKEY(reversed(le[:]))
}

// GenerateEDKEY creates an EDKEY zone key from a 32-byte seed read from r.
func GenerateEDKEY(r io.Reader) (*PrivateKey, error) {
	var seed [ed25519.SeedSize]byte
	if _, err := io.ReadFull(r, seed[:]); err != nil {
		return nil, fmt.Errorf("zone: generate EDKEY: %w", err)
	}
	return NewEDKEY(seed[:])
}

// MarshalPrivateKey returns the key in GNUnet's layout: the zone type
// (4 bytes, big-endian), then d little-endian (PKEY) or the seed (EDKEY).
// The result is secret.
func MarshalPrivateKey(p *PrivateKey) []byte {
	out := binary.BigEndian.AppendUint32(make([]byte, 0, IDSize), uint32(p.typ))
	if p.typ == TypePKEY {
		return append(out, reversed(p.raw[:])...)
	}
	return append(out, p.raw[:]...)
}

// ParsePrivateKey parses the layout MarshalPrivateKey writes, which is
// also what `gnunet-identity -d -p` prints after Base32GNS decoding.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != IDSize {
		return nil, fmt.Errorf("zone: %w: private key has %d bytes, expected %d", ErrInvalidKey, len(b), IDSize)
	}
	switch t := KeyType(binary.BigEndian.Uint32(b)); t {
	case TypePKEY:
		return NewPKEY(reversed(b[4:]))
	case TypeEDKEY:
		return NewEDKEY(b[4:])
	default:
		return nil, fmt.Errorf("zone: %w: unknown zone type %d", ErrInvalidKey, uint32(t))
	}
}

// ParsePrivateKeyText parses the Base32GNS form of the MarshalPrivateKey
// layout, as `gnunet-identity -d -p` prints it.
func ParsePrivateKeyText(s string) (*PrivateKey, error) {
	b, err := identity.Base32Decode(s)
	if err != nil {
		return nil, fmt.Errorf("zone: %w: private key text: %w", ErrInvalidKey, err)
	}
	return ParsePrivateKey(b)
}

// Type returns the zone type.
func (p *PrivateKey) Type() KeyType { return p.typ }

// Public returns the zone key zk.
func (p *PrivateKey) Public() PublicKey { return p.pub }

// Sign signs message, which must already start with GNUnet's signature
// purpose header (size and purpose), with the zone key itself. Zone
// revocations use it, while SealBlock signs blocks with derived keys.
func (p *PrivateKey) Sign(message []byte) Signature {
	if p.typ == TypePKEY {
		return signECDSA(p.raw, p.scalar, message)
	}
	return Signature(ed25519.Sign(ed25519.NewKeyFromSeed(p.raw[:]), message))
}

// signDerived signs message with the key derived for the normalised
// label (RFC 9498, sections "PKEY" and "EDKEY").
func (p *PrivateKey) signDerived(label string, message []byte) Signature {
	h := derive(p.pub.key, label)
	d := new(edwards25519.Scalar).Multiply(h.scalar, p.scalar)
	if p.typ == TypePKEY {
		return signECDSA([KeySize]byte(reversed(d.Bytes())), d, message)
	}
	return signDerivedEdDSA(p.prefix, h, d, message)
}

func publicFromScalar(t KeyType, s *edwards25519.Scalar) PublicKey {
	pk := PublicKey{typ: t}
	copy(pk.key[:], new(edwards25519.Point).ScalarBaseMult(s).Bytes())
	return pk
}

func reversed(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[len(b)-1-i] = v
	}
	return out
}

// String names the zone without showing the secret, so that a key that
// ends up in a log line does not leak.
func (p *PrivateKey) String() string { return "private key of zone " + p.pub.String() }

// GoString is String, for the %#v verb.
func (p *PrivateKey) GoString() string { return p.String() }
