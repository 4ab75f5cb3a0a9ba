package ratchet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of a message header. Every encrypted message is
// the header followed by the AEAD ciphertext of the plaintext:
//
//	| sender ratchet public key [32] | PN u32 | N u32 | flags u8 |
//
// PN is the length of the sender's previous sending chain and N the number
// of the message in the current one, so the receiver can derive the keys
// of messages it skipped. Integers are big-endian.
const HeaderSize = KeySize + 4 + 4 + 1

// headerFlags ask things of the receiver.
type headerFlags uint8

// flagStepRequest asks the receiver to send any message soon, because that
// message carries the receiver's new ratchet key and so lets the sender
// take a DH step.
const flagStepRequest headerFlags = 1 << 0

// ErrMalformed is wrapped by errors about messages that cannot be parsed.
var ErrMalformed = errors.New("malformed ratchet message")

// Header is the clear-text part of an encrypted message.
type Header struct {
	DH    [KeySize]byte
	PN    uint32
	N     uint32
	Flags headerFlags
}

// Append appends the encoding of h to b.
func (h *Header) Append(b []byte) []byte {
	b = append(b, h.DH[:]...)
	b = binary.BigEndian.AppendUint32(b, h.PN)
	b = binary.BigEndian.AppendUint32(b, h.N)
	return append(b, byte(h.Flags))
}

// ParseHeader parses the header at the start of msg.
func ParseHeader(msg []byte) (*Header, error) {
	if len(msg) < HeaderSize {
		return nil, fmt.Errorf("cadet/ratchet: header: %w: %d bytes, expected at least %d", ErrMalformed, len(msg), HeaderSize)
	}
	h := &Header{PN: binary.BigEndian.Uint32(msg[KeySize:]), N: binary.BigEndian.Uint32(msg[KeySize+4:]), Flags: headerFlags(msg[KeySize+8])}
	copy(h.DH[:], msg)
	if h.Flags&^flagStepRequest != 0 {
		return nil, fmt.Errorf("cadet/ratchet: header: %w: unknown flags %#x", ErrMalformed, h.Flags)
	}
	return h, nil
}
