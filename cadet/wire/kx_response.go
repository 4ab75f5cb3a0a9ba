package wire

// KXResponse carries the second message of the tunnel's Noise IK handshake.
type KXResponse struct {
	CID     ConnID
	Payload []byte
}

// Len returns the encoded size of m.
func (m *KXResponse) Len() int { return connHeaderSize + len(m.Payload) }

// Append appends the encoding of m to b.
func (m *KXResponse) Append(b []byte) []byte {
	return append(appendConnHeader(b, TypeKXResponse, m.CID), m.Payload...)
}

// ParseKXResponse parses a KX_RESPONSE message. Payload aliases msg.
func ParseKXResponse(msg []byte) (*KXResponse, error) {
	cid, rest, err := parseConnHeader(msg, TypeKXResponse)
	if err != nil {
		return nil, err
	}
	if len(rest) < 1 {
		return nil, malformed("KX_RESPONSE", "payload of %d bytes, expected at least 1", len(rest))
	}
	return &KXResponse{CID: cid, Payload: rest}, nil
}
