package cadet

import (
	"bytes"
	"cmp"
	"slices"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
)

// Go randomises map iteration order. Every loop over a map whose body
// sends messages or arms timers goes through these helpers, so that a
// simulation replays exactly from its seed.

func sortedTunnels(m map[identity.PeerID]*tunnel) []*tunnel {
	out := make([]*tunnel, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *tunnel) int { return a.peer.Compare(b.peer) })
	return out
}

func sortedConns(m map[wire.ConnID]*connection) []*connection {
	out := make([]*connection, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *connection) int { return bytes.Compare(a.cid[:], b.cid[:]) })
	return out
}

func sortedRouteIDs(m map[wire.ConnID]*route) []wire.ConnID {
	out := make([]wire.ConnID, 0, len(m))
	for cid := range m {
		out = append(out, cid)
	}
	slices.SortFunc(out, func(a, b wire.ConnID) int { return bytes.Compare(a[:], b[:]) })
	return out
}

func sortedChannels(m map[uint32]*channel) []*channel {
	out := make([]*channel, 0, len(m))
	for _, ch := range m {
		out = append(out, ch)
	}
	slices.SortFunc(out, func(a, b *channel) int { return cmp.Compare(a.ctn, b.ctn) })
	return out
}
