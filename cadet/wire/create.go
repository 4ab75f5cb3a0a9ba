package wire

import "github.com/hush-overlay/hush/identity"

// Create requests each peer on Path to set up one hop of connection CID.
// The target responds with CreateAck.
//
// NOTE: every relay reads the whole path, so it learns the initiator and
// the target of each connection it relays. Only the tunnel's traffic is
// hidden from relays.
type Create struct {
	CID  ConnID
	Path []identity.PeerID // initiator first, target last
}

// Len returns the encoded size of m.
func (m *Create) Len() int { return connHeaderSize + 1 + len(m.Path)*identity.PeerIDSize }

// Append appends the encoding of m to b.
func (m *Create) Append(b []byte) []byte {
	b = appendConnHeader(b, TypeCreate, m.CID)
	b = append(b, byte(len(m.Path)))
	for _, p := range m.Path {
		b = append(b, p[:]...)
	}
	return b
}

// ParseCreate parses a CREATE message. A path needs at least two peers
// (initiator and target) and at most MaxPathLen.
func ParseCreate(msg []byte) (*Create, error) {
	cid, rest, err := parseConnHeader(msg, TypeCreate)
	if err != nil {
		return nil, err
	}
	if len(rest) < 1 {
		return nil, malformed("CREATE", "missing path length")
	}
	n := int(rest[0])
	rest = rest[1:]
	if n < 2 || n > MaxPathLen {
		return nil, malformed("CREATE", "path of %d peers, expected 2 to %d", n, MaxPathLen)
	}
	if len(rest) != n*identity.PeerIDSize {
		return nil, malformed("CREATE", "path of %d peers in %d bytes", n, len(rest))
	}
	m := &Create{CID: cid, Path: make([]identity.PeerID, n)}
	for i := range m.Path {
		m.Path[i] = peerIDFrom(rest[i*identity.PeerIDSize:])
	}
	return m, nil
}
