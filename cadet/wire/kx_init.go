package wire

// KXInit carries the first message of the tunnel's Noise IK handshake.
type KXInit struct {
	CID     ConnID
	Payload []byte
}

// Len returns the encoded size of m.
func (m *KXInit) Len() int { return connHeaderSize + len(m.Payload) }

// Append appends the encoding of m to b.
func (m *KXInit) Append(b []byte) []byte {
	return append(appendConnHeader(b, TypeKXInit, m.CID), m.Payload...)
}

// ParseKXInit parses a KX_INIT message. Payload aliases msg.
func ParseKXInit(msg []byte) (*KXInit, error) {
	cid, rest, err := parseConnHeader(msg, TypeKXInit)
	if err != nil {
		return nil, err
	}
	if len(rest) < 1 {
		return nil, malformed("KX_INIT", "payload of %d bytes, expected at least 1", len(rest))
	}
	return &KXInit{CID: cid, Payload: rest}, nil
}
