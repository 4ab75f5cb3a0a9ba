// Package hello defines a peer's HELLO: the signed list of addresses at which
// it accepts CORE links, with an expiry. HELLOs travel in CORE's first
// handshake message, live in the peer store and are published in the DHT.
//
// Wire format (all integers big-endian):
//
//	 0                   1                   2                   3
//	+-------------------------------------------------------------+
//	| peer ID (32 bytes, Ed25519 public key)                       |
//	+-------------------------------------------------------------+
//	| expiry (uint64, microseconds since 1970-01-01 UTC)           |
//	+------------------------------+------------------------------+
//	| address count (uint16)       | per address: length (uint16),|
//	+------------------------------+ then the URL bytes           |
//	| signature (64 bytes): Ed25519 over signContext || all bytes |
//	| above                                                        |
//	+-------------------------------------------------------------+
package hello

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/identity"
)

// Limits that keep a HELLO small enough for one DHT block and one handshake
// message.
const (
	MaxAddresses     = 16
	MaxAddressLength = 255
	headerSize       = identity.PeerIDSize + 8 + 2
	signatureSize    = 64
	// MaxSize is the largest encoded HELLO.
	MaxSize = headerSize + MaxAddresses*(2+MaxAddressLength) + signatureSize
)

// signContext separates HELLO signatures from every other signature made with
// a peer key.
const signContext = "hush-hello-v1\x00"

// ErrMalformed is wrapped by every parse error.
var ErrMalformed = errors.New("malformed HELLO")

// ErrBadSignature is returned when a HELLO's signature does not verify.
var ErrBadSignature = errors.New("HELLO signature does not verify")

// Hello is a peer's signed address list.
type Hello struct {
	Peer      identity.PeerID
	Expires   time.Time // truncated to microseconds
	Addresses []string
	Signature []byte
}

// New makes and signs a HELLO for key.
func New(key *identity.PrivateKey, addrs []string, expires time.Time) (*Hello, error) {
	if len(addrs) > MaxAddresses {
		return nil, fmt.Errorf("hello: %d addresses, at most %d allowed", len(addrs), MaxAddresses)
	}
	for _, a := range addrs {
		if len(a) == 0 || len(a) > MaxAddressLength {
			return nil, fmt.Errorf("hello: address %q has invalid length %d (1 to %d bytes)", a, len(a), MaxAddressLength)
		}
	}
	h := &Hello{Peer: key.PeerID(), Expires: expires.Truncate(time.Microsecond), Addresses: append([]string(nil), addrs...)}
	h.Signature = key.Sign(h.signedBytes())
	return h, nil
}

func (h *Hello) appendBody(b []byte) []byte {
	b = append(b, h.Peer[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Expires.UnixMicro()))
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.Addresses)))
	for _, a := range h.Addresses {
		b = binary.BigEndian.AppendUint16(b, uint16(len(a)))
		b = append(b, a...)
	}
	return b
}

func (h *Hello) signedBytes() []byte {
	return h.appendBody([]byte(signContext))
}

// Append appends the wire form of h to b.
func (h *Hello) Append(b []byte) []byte {
	return append(h.appendBody(b), h.Signature...)
}

// Marshal returns the wire form of h.
func (h *Hello) Marshal() []byte { return h.Append(nil) }

// Parse decodes a HELLO and verifies its signature. It does not check the
// expiry; use Expired for that.
func Parse(b []byte) (*Hello, error) {
	h, n, err := parseUnverified(b)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, fmt.Errorf("hello: %w: %d trailing bytes", ErrMalformed, len(b)-n)
	}
	if !h.Peer.Verify(h.signedBytes(), h.Signature) {
		return nil, fmt.Errorf("hello: peer %s: %w", h.Peer.Short(), ErrBadSignature)
	}
	return h, nil
}

func parseUnverified(b []byte) (*Hello, int, error) {
	if len(b) < headerSize+signatureSize {
		return nil, 0, fmt.Errorf("hello: %w: %d bytes, at least %d needed", ErrMalformed, len(b), headerSize+signatureSize)
	}
	h := &Hello{}
	copy(h.Peer[:], b)
	micros := binary.BigEndian.Uint64(b[identity.PeerIDSize:])
	if micros > 1<<62 {
		return nil, 0, fmt.Errorf("hello: %w: expiry out of range", ErrMalformed)
	}
	h.Expires = time.UnixMicro(int64(micros)).UTC()
	count := int(binary.BigEndian.Uint16(b[identity.PeerIDSize+8:]))
	if count > MaxAddresses {
		return nil, 0, fmt.Errorf("hello: %w: %d addresses, at most %d allowed", ErrMalformed, count, MaxAddresses)
	}
	off := headerSize
	for i := 0; i < count; i++ {
		if off+2 > len(b) {
			return nil, 0, fmt.Errorf("hello: %w: truncated address %d", ErrMalformed, i)
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		off += 2
		if n == 0 || n > MaxAddressLength || off+n > len(b) {
			return nil, 0, fmt.Errorf("hello: %w: address %d has invalid length %d", ErrMalformed, i, n)
		}
		h.Addresses = append(h.Addresses, string(b[off:off+n]))
		off += n
	}
	if off+signatureSize > len(b) {
		return nil, 0, fmt.Errorf("hello: %w: truncated signature", ErrMalformed)
	}
	h.Signature = append([]byte(nil), b[off:off+signatureSize]...)
	return h, off + signatureSize, nil
}

// Expired reports whether h has expired at now.
func (h *Hello) Expired(now time.Time) bool { return !now.Before(h.Expires) }

// Newer reports whether h should replace old: same peer, later expiry.
func (h *Hello) Newer(old *Hello) bool {
	return old == nil || (h.Peer == old.Peer && h.Expires.After(old.Expires))
}
