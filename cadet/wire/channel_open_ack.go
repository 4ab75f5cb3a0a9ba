package wire

import "encoding/binary"

// ChannelOpenAck accepts channel CTN. WindowEnd is the first sequence
// number the opener may not send yet.
type ChannelOpenAck struct {
	CTN       uint32
	WindowEnd uint32
}

const channelOpenAckSize = 1 + 4 + 4

// Len returns the encoded size of m.
func (m *ChannelOpenAck) Len() int { return channelOpenAckSize }

// Append appends the encoding of m to b.
func (m *ChannelOpenAck) Append(b []byte) []byte {
	b = append(b, byte(TypeChannelOpenAck))
	b = binary.BigEndian.AppendUint32(b, m.CTN)
	return binary.BigEndian.AppendUint32(b, m.WindowEnd)
}

// ParseChannelOpenAck parses a CHANNEL_OPEN_ACK message.
func ParseChannelOpenAck(msg []byte) (*ChannelOpenAck, error) {
	if len(msg) != channelOpenAckSize || Type(msg[0]) != TypeChannelOpenAck {
		return nil, malformed("CHANNEL_OPEN_ACK", "%d bytes, expected %d", len(msg), channelOpenAckSize)
	}
	return &ChannelOpenAck{CTN: binary.BigEndian.Uint32(msg[1:]), WindowEnd: binary.BigEndian.Uint32(msg[5:])}, nil
}
