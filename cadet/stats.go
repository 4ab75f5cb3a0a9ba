package cadet

import (
	"time"

	"github.com/hush-overlay/hush/identity"
)

// RefusedOpens counts refused channel opens by cause. The peer that sent
// them observed the same silence for each.
type RefusedOpens struct {
	Malformed   uint64 `json:"malformed"`
	UnknownPort uint64 `json:"unknown_port"`
	BadToken    uint64 `json:"bad_token"`
	Stale       uint64 `json:"stale"`
	Replay      uint64 `json:"replay"`
	Limit       uint64 `json:"limit"` // too many channels on the tunnel
}

func (r *RefusedOpens) add(c refusalClass) {
	switch c {
	case refusalMalformed:
		r.Malformed++
	case refusalUnknownPort:
		r.UnknownPort++
	case refusalBadToken:
		r.BadToken++
	case refusalStale:
		r.Stale++
	case refusalReplay:
		r.Replay++
	case refusalLimit:
		r.Limit++
	}
}

// Total returns the number of refused opens.
func (r RefusedOpens) Total() uint64 {
	return r.Malformed + r.UnknownPort + r.BadToken + r.Stale + r.Replay + r.Limit
}

// Stats are the engine's counters for `hush cadet stats`.
type Stats struct {
	Tunnels          int    `json:"tunnels"`
	Connections      int    `json:"connections"`
	RelayedRoutes    int    `json:"relayed_routes"`
	Channels         int    `json:"channels"`
	ChannelsOpened   uint64 `json:"channels_opened"`
	BytesSent        uint64 `json:"bytes_sent"`
	BytesReceived    uint64 `json:"bytes_received"`
	Retransmits      uint64 `json:"retransmits"`
	Timeouts         uint64 `json:"timeouts"` // retransmission timer expiries
	DatagramsDropped uint64 `json:"datagrams_dropped"`
	// StepWaits counts the times a tunnel's sending chain ran out before
	// the peer's next ratchet key arrived, holding all its traffic back.
	StepWaits     uint64       `json:"step_waits"`
	OpensAccepted uint64       `json:"opens_accepted"`
	Refused       RefusedOpens `json:"refused"`
	ReplayCache   int          `json:"replay_cache"`
}

// TunnelInfo describes one tunnel for `hush cadet tunnels`.
type TunnelInfo struct {
	Peer        identity.PeerID     `json:"peer"`
	State       string              `json:"state"`
	Connections [][]identity.PeerID `json:"connections"` // each path, this peer first
	Channels    int                 `json:"channels"`
	Binding     []byte              `json:"binding,omitempty"`
	Established time.Time           `json:"established,omitzero"`
}

// Stats returns the current counters. Called on the loop.
func (e *Engine) Stats() Stats {
	s := e.stats
	s.Tunnels, s.Connections, s.RelayedRoutes = len(e.tunnels), len(e.conns), len(e.relay.routes)
	s.ReplayCache = e.replay.len()
	for _, t := range e.tunnels {
		s.Channels += len(t.channels)
	}
	return s
}

// Tunnels describes every tunnel. Called on the loop.
func (e *Engine) Tunnels() []TunnelInfo {
	out := make([]TunnelInfo, 0, len(e.tunnels))
	for _, t := range sortedTunnels(e.tunnels) {
		info := TunnelInfo{Peer: t.peer, State: t.state(), Channels: len(t.channels), Established: t.established}
		info.Binding = append([]byte(nil), t.binding...)
		for _, c := range t.conns {
			if c.state == connReady {
				info.Connections = append(info.Connections, append([]identity.PeerID(nil), c.path...))
			}
		}
		out = append(out, info)
	}
	return out
}

// TunnelBinding returns the handshake hash of the tunnel to peer, or nil
// before the key exchange finished.
func (e *Engine) TunnelBinding(peer identity.PeerID) []byte {
	if t := e.tunnels[peer]; t != nil {
		return append([]byte(nil), t.binding...)
	}
	return nil
}
