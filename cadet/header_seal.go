package cadet

import (
	"crypto/sha256"
	"io"

	"github.com/flynn/noise"
	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"

	"github.com/hush-overlay/hush/cadet/ratchet"
)

// Header sealing hides the ratchet header (the sender's ratchet public
// key and message numbers) from relays, so that a relay sees only the
// connection ID and bytes it cannot tell apart from random. The header is
// XORed with ChaCha20 keyed per tunnel and direction, with the first 12
// bytes of the message's Poly1305 tag as nonce. The tag is unique per
// message key, and the AEAD authenticates the clear header, so a changed
// sealed header fails decryption.
//
// NOTE: the header keys come from the handshake and do not ratchet, so
// they protect the header only from relays, not from a later compromise
// of the tunnel's handshake keys.

// headerKeys derives the sealing key of each direction from the finished
// handshake.
func headerKeys(cs1, cs2 *noise.CipherState, binding []byte, initiator bool) (send, recv [32]byte) {
	k1, k2 := cs1.UnsafeKey(), cs2.UnsafeKey()
	r := hkdf.New(sha256.New, append(k1[:], k2[:]...), binding, []byte("hush-cadet-header-keys"))
	var i2r, r2i [32]byte
	_, _ = io.ReadFull(r, i2r[:])
	_, _ = io.ReadFull(r, r2i[:])
	if initiator {
		return i2r, r2i
	}
	return r2i, i2r
}

// xorHeader seals or opens the header of msg in place. It reports false
// for a message too short to hold a header and a tag.
func xorHeader(key [32]byte, msg []byte) bool {
	if len(msg) < ratchet.HeaderSize+chacha20poly1305.Overhead {
		return false
	}
	nonce := msg[len(msg)-chacha20poly1305.Overhead:][:chacha20.NonceSize]
	c, err := chacha20.NewUnauthenticatedCipher(key[:], nonce)
	if err != nil {
		return false
	}
	c.XORKeyStream(msg[:ratchet.HeaderSize], msg[:ratchet.HeaderSize])
	return true
}
