package zone

import (
	"encoding/binary"
	"errors"
	"fmt"

	"filippo.io/edwards25519"

	"github.com/hush-overlay/hush/identity"
)

// KeyType is a zone type (ZTYPE), numbered as GNS record types are.
type KeyType uint32

const (
	// TypePKEY is the ECDSA zone type over the Ed25519 group (RFC 9498,
	// section "PKEY").
	TypePKEY KeyType = 65536
	// TypeEDKEY is the EdDSA zone type (RFC 9498, section "EDKEY").
	TypeEDKEY KeyType = 65556
)

// KeySize is the size of a zone key, private or public, in bytes.
const KeySize = 32

// IDSize is the size of a zone ID: the zone type and the key.
const IDSize = 4 + KeySize

// String returns "PKEY", "EDKEY" or the number.
func (t KeyType) String() string {
	switch t {
	case TypePKEY:
		return "PKEY"
	case TypeEDKEY:
		return "EDKEY"
	}
	return fmt.Sprintf("KeyType(%d)", uint32(t))
}

// Valid reports whether t is a zone type this package implements.
func (t KeyType) Valid() bool { return t == TypePKEY || t == TypeEDKEY }

// ErrInvalidKey is wrapped by errors about malformed zone keys and zTLDs.
var ErrInvalidKey = errors.New("invalid zone key")

// PublicKey is a zone key zk with its zone type. The zero value is not a
// valid key, and IsZero reports it.
type PublicKey struct {
	typ KeyType
	key [KeySize]byte
}

// NewPublicKey checks that key is a valid point of the Ed25519 group and
// returns it as a zone key of type t.
func NewPublicKey(t KeyType, key []byte) (PublicKey, error) {
	if !t.Valid() {
		return PublicKey{}, fmt.Errorf("zone: %w: unknown zone type %d", ErrInvalidKey, uint32(t))
	}
	if len(key) != KeySize {
		return PublicKey{}, fmt.Errorf("zone: %w: %s key has %d bytes, expected %d", ErrInvalidKey, t, len(key), KeySize)
	}
	if _, err := new(edwards25519.Point).SetBytes(key); err != nil {
		return PublicKey{}, fmt.Errorf("zone: %w: %s key %x is not a point of the Ed25519 group", ErrInvalidKey, t, key)
	}
	var pk PublicKey
	pk.typ = t
	copy(pk.key[:], key)
	return pk, nil
}

// ParseID parses a zone ID: the 4-byte big-endian zone type and the key.
func ParseID(id []byte) (PublicKey, error) {
	if len(id) != IDSize {
		return PublicKey{}, fmt.Errorf("zone: %w: zone ID has %d bytes, expected %d", ErrInvalidKey, len(id), IDSize)
	}
	return NewPublicKey(KeyType(binary.BigEndian.Uint32(id)), id[4:])
}

// ParsePublicKey parses a zTLD, the Base32GNS form of a zone ID (RFC 9498,
// section "Zone Top-Level Domains"). Decoding accepts lower case and GNUnet's aliases.
func ParsePublicKey(ztld string) (PublicKey, error) {
	if len(ztld) != identity.EncodedLen(IDSize) {
		return PublicKey{}, fmt.Errorf("zone: %w: zTLD %q has %d characters, expected %d", ErrInvalidKey, ztld, len(ztld), identity.EncodedLen(IDSize))
	}
	id, err := identity.Base32Decode(ztld)
	if err != nil {
		return PublicKey{}, fmt.Errorf("zone: %w: zTLD %q: %w", ErrInvalidKey, ztld, err)
	}
	return ParseID(id)
}

// Type returns the zone type.
func (k PublicKey) Type() KeyType { return k.typ }

// Bytes returns the 32 key bytes (the compressed Ed25519 point).
func (k PublicKey) Bytes() []byte { return append([]byte(nil), k.key[:]...) }

// ID returns the zone ID: the zone type (4 bytes, big-endian) and the key.
func (k PublicKey) ID() []byte {
	id := binary.BigEndian.AppendUint32(make([]byte, 0, IDSize), uint32(k.typ))
	return append(id, k.key[:]...)
}

// String returns the zTLD.
func (k PublicKey) String() string { return identity.Base32Encode(k.ID()) }

// IsZero reports whether k is the zero value.
func (k PublicKey) IsZero() bool { return k == PublicKey{} }

// Equal reports whether k and other are the same zone key.
func (k PublicKey) Equal(other PublicKey) bool { return k == other }

// MarshalText implements encoding.TextMarshaler with the zTLD.
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with the zTLD.
func (k *PublicKey) UnmarshalText(b []byte) error {
	parsed, err := ParsePublicKey(string(b))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

func (k PublicKey) point() *edwards25519.Point {
	p, err := new(edwards25519.Point).SetBytes(k.key[:])
	if err != nil {
		// NewPublicKey checked the point, so only the zero value gets here.
		return nil
	}
	return p
}
