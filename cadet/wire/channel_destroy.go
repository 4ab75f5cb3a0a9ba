package wire

import "encoding/binary"

// ChannelDestroy aborts channel CTN at once; unsent and unacknowledged
// data is discarded.
type ChannelDestroy struct {
	CTN uint32
}

const channelDestroySize = 1 + 4

// Len returns the encoded size of m.
func (m *ChannelDestroy) Len() int { return channelDestroySize }

// Append appends the encoding of m to b.
func (m *ChannelDestroy) Append(b []byte) []byte {
	return binary.BigEndian.AppendUint32(append(b, byte(TypeChannelDestroy)), m.CTN)
}

// ParseChannelDestroy parses a CHANNEL_DESTROY message.
func ParseChannelDestroy(msg []byte) (*ChannelDestroy, error) {
	if len(msg) != channelDestroySize || Type(msg[0]) != TypeChannelDestroy {
		return nil, malformed("CHANNEL_DESTROY", "%d bytes, expected %d", len(msg), channelDestroySize)
	}
	return &ChannelDestroy{CTN: binary.BigEndian.Uint32(msg[1:])}, nil
}
