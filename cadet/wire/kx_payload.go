package wire

import "encoding/binary"

// KXInitPayload is the payload of Noise message 1. The responder accepts a
// handshake only if Clock is later than that of the last one it accepted
// from the same peer, so a replayed KX_INIT cannot reset a tunnel.
type KXInitPayload struct {
	Clock uint64 // Unix nanoseconds
}

const kxInitPayloadSize = 8

// Append appends the encoding of m to b.
func (m *KXInitPayload) Append(b []byte) []byte { return binary.BigEndian.AppendUint64(b, m.Clock) }

// ParseKXInitPayload parses the payload of Noise message 1.
func ParseKXInitPayload(b []byte) (*KXInitPayload, error) {
	if len(b) != kxInitPayloadSize {
		return nil, malformed("KX_INIT payload", "%d bytes, expected %d", len(b), kxInitPayloadSize)
	}
	return &KXInitPayload{Clock: binary.BigEndian.Uint64(b)}, nil
}

// KXResponsePayload is the payload of Noise message 2: the responder's
// first ratchet public key, from which the initiator starts the double
// ratchet.
type KXResponsePayload struct {
	RatchetKey [32]byte
}

// Append appends the encoding of m to b.
func (m *KXResponsePayload) Append(b []byte) []byte { return append(b, m.RatchetKey[:]...) }

// ParseKXResponsePayload parses the payload of Noise message 2.
func ParseKXResponsePayload(b []byte) (*KXResponsePayload, error) {
	m := &KXResponsePayload{}
	if len(b) != len(m.RatchetKey) {
		return nil, malformed("KX_RESPONSE payload", "%d bytes, expected %d", len(b), len(m.RatchetKey))
	}
	copy(m.RatchetKey[:], b)
	return m, nil
}
