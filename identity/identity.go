// Package identity holds a peer's long-term keys and its peer ID.
//
// A peer is an Ed25519 key pair. Its peer ID is the 32-byte public key,
// written in Base32GNS (52 characters). The X25519 key that CORE's Noise
// handshake uses is derived from the Ed25519 key, so a peer ID alone is
// enough to dial a peer.
package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"

	"filippo.io/edwards25519"
)

// PeerIDSize is the size of a peer ID in bytes.
const PeerIDSize = ed25519.PublicKeySize

// PeerIDTextSize is the length of a peer ID in Base32GNS.
var PeerIDTextSize = EncodedLen(PeerIDSize)

// PeerID is a peer's Ed25519 public key.
type PeerID [PeerIDSize]byte

// ErrInvalidPeerID is wrapped by errors from ParsePeerID.
var ErrInvalidPeerID = errors.New("invalid peer ID")

// ParsePeerID parses the Base32GNS text form of a peer ID. It checks the
// length, the alphabet and that the bytes are a valid Ed25519 point.
func ParsePeerID(s string) (PeerID, error) {
	var id PeerID
	if len(s) != PeerIDTextSize {
		return id, fmt.Errorf("identity: %w %q: length %d, expected %d characters", ErrInvalidPeerID, s, len(s), PeerIDTextSize)
	}
	raw, err := Base32Decode(s)
	if err != nil {
		return id, fmt.Errorf("identity: %w %q: %v", ErrInvalidPeerID, s, err)
	}
	copy(id[:], raw)
	if _, err := new(edwards25519.Point).SetBytes(id[:]); err != nil {
		return id, fmt.Errorf("identity: %w %q: not an Ed25519 public key", ErrInvalidPeerID, s)
	}
	return id, nil
}

// String returns the Base32GNS form of the peer ID.
func (id PeerID) String() string { return Base32Encode(id[:]) }

// Short returns the first eight characters of the peer ID, for logs.
func (id PeerID) Short() string { return id.String()[:8] }

// IsZero reports whether id is all zero bytes.
func (id PeerID) IsZero() bool { return id == PeerID{} }

// Compare orders peer IDs by their bytes.
func (id PeerID) Compare(other PeerID) int { return bytes.Compare(id[:], other[:]) }

// MarshalText implements encoding.TextMarshaler.
func (id PeerID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *PeerID) UnmarshalText(b []byte) error {
	parsed, err := ParsePeerID(string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// X25519 returns the Curve25519 (Montgomery) form of the peer's public key,
// which is the peer's Noise static public key.
func (id PeerID) X25519() ([]byte, error) {
	p, err := new(edwards25519.Point).SetBytes(id[:])
	if err != nil {
		return nil, fmt.Errorf("identity: peer %s is not an Ed25519 public key", id.Short())
	}
	return p.BytesMontgomery(), nil
}

// Verify reports whether sig is the peer's Ed25519 signature of msg.
func (id PeerID) Verify(msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(id[:], msg, sig)
}

// PrivateKey is a peer's Ed25519 private key.
type PrivateKey struct {
	key ed25519.PrivateKey
}

// GenerateKey makes a new peer key from rand.
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	_, k, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("identity: generate key: %w", err)
	}
	return &PrivateKey{key: k}, nil
}

// NewKeyFromSeed returns the peer key for a 32-byte Ed25519 seed.
func NewKeyFromSeed(seed []byte) (*PrivateKey, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("identity: key seed has %d bytes, expected %d", len(seed), ed25519.SeedSize)
	}
	return &PrivateKey{key: ed25519.NewKeyFromSeed(seed)}, nil
}

// Seed returns the 32-byte seed the key was made from.
func (k *PrivateKey) Seed() []byte { return k.key.Seed() }

// PeerID returns the peer ID of the key.
func (k *PrivateKey) PeerID() PeerID {
	var id PeerID
	copy(id[:], k.key.Public().(ed25519.PublicKey))
	return id
}

// Sign signs msg with Ed25519.
func (k *PrivateKey) Sign(msg []byte) []byte { return ed25519.Sign(k.key, msg) }

// X25519 returns the Curve25519 private scalar that matches PeerID().X25519():
// the clamped first half of SHA-512 of the seed, as RFC 8032 derives the
// Ed25519 scalar.
func (k *PrivateKey) X25519() []byte {
	h := sha512.Sum512(k.key.Seed())
	s := h[:32]
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	out := make([]byte, 32)
	copy(out, s)
	return out
}
