package wire

// CreateAck confirms, from the target back to the initiator, that every hop of a connection is set up.
type CreateAck struct {
	CID ConnID
}

// Len returns the encoded size of m.
func (m *CreateAck) Len() int { return connHeaderSize }

// Append appends the encoding of m to b.
func (m *CreateAck) Append(b []byte) []byte { return appendConnHeader(b, TypeCreateAck, m.CID) }

// ParseCreateAck parses a CREATE_ACK message.
func ParseCreateAck(msg []byte) (*CreateAck, error) {
	cid, rest, err := parseConnHeader(msg, TypeCreateAck)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, malformed("CREATE_ACK", "%d trailing bytes", len(rest))
	}
	return &CreateAck{CID: cid}, nil
}
