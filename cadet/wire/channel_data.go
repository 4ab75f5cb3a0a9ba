package wire

import "encoding/binary"

// DataFlags mark special CHANNEL_DATA messages.
type DataFlags uint8

// FlagFIN marks the sender's last message on the channel. It may carry
// payload.
const FlagFIN DataFlags = 1 << 0

// ChannelData carries message Seq of channel CTN.
type ChannelData struct {
	CTN     uint32
	Seq     uint32
	Flags   DataFlags
	Payload []byte
}

// ChannelDataOverhead is the size of a CHANNEL_DATA message without its
// payload.
const ChannelDataOverhead = 1 + 4 + 4 + 1

// Len returns the encoded size of m.
func (m *ChannelData) Len() int { return ChannelDataOverhead + len(m.Payload) }

// Append appends the encoding of m to b.
func (m *ChannelData) Append(b []byte) []byte {
	b = append(b, byte(TypeChannelData))
	b = binary.BigEndian.AppendUint32(b, m.CTN)
	b = binary.BigEndian.AppendUint32(b, m.Seq)
	b = append(b, byte(m.Flags))
	return append(b, m.Payload...)
}

// ParseChannelData parses a CHANNEL_DATA message. Payload aliases msg.
func ParseChannelData(msg []byte) (*ChannelData, error) {
	if len(msg) < ChannelDataOverhead || Type(msg[0]) != TypeChannelData {
		return nil, malformed("CHANNEL_DATA", "%d bytes, expected at least %d", len(msg), ChannelDataOverhead)
	}
	m := &ChannelData{
		CTN:     binary.BigEndian.Uint32(msg[1:]),
		Seq:     binary.BigEndian.Uint32(msg[5:]),
		Flags:   DataFlags(msg[9]),
		Payload: msg[ChannelDataOverhead:],
	}
	if m.Flags&^FlagFIN != 0 {
		return nil, malformed("CHANNEL_DATA", "unknown flags %#x", m.Flags)
	}
	return m, nil
}
