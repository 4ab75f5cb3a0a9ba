package ratchet

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"
)

// KeySize is the size of X25519 keys, chain keys and message keys.
const KeySize = 32

// KeyPair is an X25519 ratchet key pair.
type KeyPair struct {
	Private [KeySize]byte
	Public  [KeySize]byte
}

// GenerateKeyPair draws a new ratchet key pair from rand.
func GenerateKeyPair(rand io.Reader) (KeyPair, error) {
	var kp KeyPair
	if _, err := io.ReadFull(rand, kp.Private[:]); err != nil {
		return kp, fmt.Errorf("cadet/ratchet: generate key: %w", err)
	}
	pub, err := curve25519.X25519(kp.Private[:], curve25519.Basepoint)
	if err != nil {
		return kp, fmt.Errorf("cadet/ratchet: generate key: %w", err)
	}
	copy(kp.Public[:], pub)
	return kp, nil
}

// dh returns the X25519 shared secret. It fails for low-order public keys,
// whose output is all zeros.
func dh(kp KeyPair, pub [KeySize]byte) ([]byte, error) {
	out, err := curve25519.X25519(kp.Private[:], pub[:])
	if err != nil {
		return nil, fmt.Errorf("cadet/ratchet: DH with peer ratchet key: %w", err)
	}
	return out, nil
}

// kdfRoot mixes a DH output into the root key and returns the new root key
// and a new chain key (HKDF-SHA256, salt = root key).
func kdfRoot(root [KeySize]byte, dhOut []byte) (newRoot, chain [KeySize]byte) {
	r := hkdf.New(sha256.New, dhOut, root[:], []byte("hush-cadet-ratchet-root"))
	// Reading 64 bytes from HKDF-SHA256 cannot fail: the limit is 255 blocks.
	_, _ = io.ReadFull(r, newRoot[:])
	_, _ = io.ReadFull(r, chain[:])
	return newRoot, chain
}

// kdfChain advances a symmetric chain: HMAC-SHA256(chain, 0x01) is the
// message key and HMAC-SHA256(chain, 0x02) the next chain key.
func kdfChain(chain [KeySize]byte) (next, message [KeySize]byte) {
	m := hmac.New(sha256.New, chain[:])
	m.Write([]byte{1})
	copy(message[:], m.Sum(nil))
	m.Reset()
	m.Write([]byte{2})
	copy(next[:], m.Sum(nil))
	return next, message
}
