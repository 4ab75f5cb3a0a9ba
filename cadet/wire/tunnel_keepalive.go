package wire

// TunnelKeepalive is an empty encrypted message. The tunnel sends it to
// hand the peer a new ratchet public key when no other message is due: right
// after the handshake, and when the peer asks for a DH step.
type TunnelKeepalive struct{}

// Len returns the encoded size of m.
func (m *TunnelKeepalive) Len() int { return 1 }

// Append appends the encoding of m to b.
func (m *TunnelKeepalive) Append(b []byte) []byte { return append(b, byte(TypeTunnelKeepalive)) }

// ParseTunnelKeepalive parses a TUNNEL_KEEPALIVE message.
func ParseTunnelKeepalive(msg []byte) (*TunnelKeepalive, error) {
	if len(msg) != 1 || Type(msg[0]) != TypeTunnelKeepalive {
		return nil, malformed("TUNNEL_KEEPALIVE", "%d bytes, expected 1", len(msg))
	}
	return &TunnelKeepalive{}, nil
}
