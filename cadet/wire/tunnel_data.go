package wire

// TunnelData carries one tunnel message encrypted by the double ratchet.
type TunnelData struct {
	CID     ConnID
	Payload []byte
}

// Len returns the encoded size of m.
func (m *TunnelData) Len() int { return connHeaderSize + len(m.Payload) }

// Append appends the encoding of m to b.
func (m *TunnelData) Append(b []byte) []byte {
	return append(appendConnHeader(b, TypeTunnelData, m.CID), m.Payload...)
}

// ParseTunnelData parses a TUNNEL_DATA message. Payload aliases msg.
func ParseTunnelData(msg []byte) (*TunnelData, error) {
	cid, rest, err := parseConnHeader(msg, TypeTunnelData)
	if err != nil {
		return nil, err
	}
	if len(rest) < 1 {
		return nil, malformed("TUNNEL_DATA", "payload of %d bytes, expected at least 1", len(rest))
	}
	return &TunnelData{CID: cid, Payload: rest}, nil
}
