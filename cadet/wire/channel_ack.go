package wire

import "encoding/binary"

// AckFlags mark special CHANNEL_ACK messages.
type AckFlags uint8

// FlagProbe asks the receiver to answer with its own CHANNEL_ACK at once.
// A sender whose window is closed probes so that a lost window update
// cannot stall the channel.
const FlagProbe AckFlags = 1 << 0

// ChannelAck reports the sender's receive state of channel CTN: every
// message below CumAck arrived, bit i of SACK set means message
// CumAck+1+i arrived, and the peer may send messages below WindowEnd.
type ChannelAck struct {
	CTN       uint32
	CumAck    uint32
	SACK      uint64
	WindowEnd uint32
	Flags     AckFlags
}

const channelAckSize = 1 + 4 + 4 + 8 + 4 + 1

// Len returns the encoded size of m.
func (m *ChannelAck) Len() int { return channelAckSize }

// Append appends the encoding of m to b.
func (m *ChannelAck) Append(b []byte) []byte {
	b = append(b, byte(TypeChannelAck))
	b = binary.BigEndian.AppendUint32(b, m.CTN)
	b = binary.BigEndian.AppendUint32(b, m.CumAck)
	b = binary.BigEndian.AppendUint64(b, m.SACK)
	b = binary.BigEndian.AppendUint32(b, m.WindowEnd)
	return append(b, byte(m.Flags))
}

// ParseChannelAck parses a CHANNEL_ACK message.
func ParseChannelAck(msg []byte) (*ChannelAck, error) {
	if len(msg) != channelAckSize || Type(msg[0]) != TypeChannelAck {
		return nil, malformed("CHANNEL_ACK", "%d bytes, expected %d", len(msg), channelAckSize)
	}
	m := &ChannelAck{
		CTN:       binary.BigEndian.Uint32(msg[1:]),
		CumAck:    binary.BigEndian.Uint32(msg[5:]),
		SACK:      binary.BigEndian.Uint64(msg[9:]),
		WindowEnd: binary.BigEndian.Uint32(msg[17:]),
		Flags:     AckFlags(msg[21]),
	}
	if m.Flags&^FlagProbe != 0 {
		return nil, malformed("CHANNEL_ACK", "unknown flags %#x", m.Flags)
	}
	return m, nil
}
