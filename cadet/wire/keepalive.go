package wire

// Keepalive keeps an idle connection's relay state alive and proves to the far end that the path still works.
type Keepalive struct {
	CID ConnID
}

// Len returns the encoded size of m.
func (m *Keepalive) Len() int { return connHeaderSize }

// Append appends the encoding of m to b.
func (m *Keepalive) Append(b []byte) []byte { return appendConnHeader(b, TypeKeepalive, m.CID) }

// ParseKeepalive parses a KEEPALIVE message.
func ParseKeepalive(msg []byte) (*Keepalive, error) {
	cid, rest, err := parseConnHeader(msg, TypeKeepalive)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, malformed("KEEPALIVE", "%d trailing bytes", len(rest))
	}
	return &Keepalive{CID: cid}, nil
}
