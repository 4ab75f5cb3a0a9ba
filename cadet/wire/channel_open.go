package wire

import "encoding/binary"

// ChannelOptions selects a channel's delivery guarantees.
type ChannelOptions uint8

// Channel option bits. Reliable without Ordered delivers each message once,
// in arrival order. Without Reliable, messages are datagrams.
const (
	OptReliable ChannelOptions = 1 << 0
	OptOrdered  ChannelOptions = 1 << 1
	optAll                     = OptReliable | OptOrdered
)

// ChannelOpen opens channel CTN to the port whose hash is PortHash, and
// carries the channel's first payload. T, Nonce and AV form the stealth
// token; for a public port they are zero.
type ChannelOpen struct {
	CTN      uint32
	Options  ChannelOptions
	PortHash [PortHashSize]byte
	T        uint64 // initiator clock, Unix seconds
	Nonce    [NonceSize]byte
	AV       [TokenSize]byte
	Payload  []byte
}

const channelOpenFixed = 1 + 4 + 1 + PortHashSize + 8 + NonceSize + TokenSize

// Len returns the encoded size of m.
func (m *ChannelOpen) Len() int { return channelOpenFixed + len(m.Payload) }

// Append appends the encoding of m to b.
func (m *ChannelOpen) Append(b []byte) []byte {
	b = append(b, byte(TypeChannelOpen))
	b = binary.BigEndian.AppendUint32(b, m.CTN)
	b = append(b, byte(m.Options))
	b = append(b, m.PortHash[:]...)
	b = binary.BigEndian.AppendUint64(b, m.T)
	b = append(b, m.Nonce[:]...)
	b = append(b, m.AV[:]...)
	return append(b, m.Payload...)
}

// ParseChannelOpen parses a CHANNEL_OPEN message. Payload aliases msg.
func ParseChannelOpen(msg []byte) (*ChannelOpen, error) {
	if len(msg) < channelOpenFixed || Type(msg[0]) != TypeChannelOpen {
		return nil, malformed("CHANNEL_OPEN", "%d bytes, expected at least %d", len(msg), channelOpenFixed)
	}
	m := &ChannelOpen{CTN: binary.BigEndian.Uint32(msg[1:]), Options: ChannelOptions(msg[5])}
	if m.Options&^optAll != 0 {
		return nil, malformed("CHANNEL_OPEN", "unknown options %#x", m.Options)
	}
	rest := msg[6:]
	rest = rest[copy(m.PortHash[:], rest):]
	m.T = binary.BigEndian.Uint64(rest)
	rest = rest[8:]
	rest = rest[copy(m.Nonce[:], rest):]
	rest = rest[copy(m.AV[:], rest):]
	m.Payload = rest
	return m, nil
}
