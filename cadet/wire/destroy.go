package wire

// Destroy tears a connection down on purpose. Each hop that forwards it drops its state for the connection.
type Destroy struct {
	CID ConnID
}

// Len returns the encoded size of m.
func (m *Destroy) Len() int { return connHeaderSize }

// Append appends the encoding of m to b.
func (m *Destroy) Append(b []byte) []byte { return appendConnHeader(b, TypeDestroy, m.CID) }

// ParseDestroy parses a DESTROY message.
func ParseDestroy(msg []byte) (*Destroy, error) {
	cid, rest, err := parseConnHeader(msg, TypeDestroy)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, malformed("DESTROY", "%d trailing bytes", len(rest))
	}
	return &Destroy{CID: cid}, nil
}
