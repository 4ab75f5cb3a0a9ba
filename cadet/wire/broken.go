package wire

// Broken reports that a connection cannot carry traffic any more: a hop lost its link, or a relay does not know the connection ID. Each hop that forwards it drops its state for the connection.
type Broken struct {
	CID ConnID
}

// Len returns the encoded size of m.
func (m *Broken) Len() int { return connHeaderSize }

// Append appends the encoding of m to b.
func (m *Broken) Append(b []byte) []byte { return appendConnHeader(b, TypeBroken, m.CID) }

// ParseBroken parses a BROKEN message.
func ParseBroken(msg []byte) (*Broken, error) {
	cid, rest, err := parseConnHeader(msg, TypeBroken)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, malformed("BROKEN", "%d trailing bytes", len(rest))
	}
	return &Broken{CID: cid}, nil
}
