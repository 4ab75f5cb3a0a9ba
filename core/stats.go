package core

import (
	"time"

	"github.com/hush-overlay/hush/identity"
)

// counters are CORE's running totals, owned by the loop.
type counters struct {
	handshakesOK     uint64
	handshakesFailed uint64
	probes           [probeClassCount]uint64
	messagesIn       uint64
	messagesOut      uint64
	framesIn         uint64
	framesOut        uint64
	bytesIn          uint64
	bytesOut         uint64
	rekeys           uint64
	queueFull        uint64
	replayedFrames   uint64
	decryptFailures  uint64
	unknownService   uint64
}

// Stats is a snapshot of CORE's counters since New.
type Stats struct {
	// HandshakesOK counts links established, inbound and outbound.
	HandshakesOK uint64 `json:"handshakes_ok"`
	// HandshakesFailed counts outbound handshakes that failed or timed out.
	// Rejected inbound connections are counted in ProbesDropped instead.
	HandshakesFailed uint64 `json:"handshakes_failed"`
	// ProbesDropped counts inbound connections dropped silently, by class:
	// undecryptable, malformed, stale-timestamp, future-timestamp, replay,
	// bad-hello, refused, pending-overflow, silent-timeout.
	ProbesDropped map[string]uint64 `json:"probes_dropped"`
	// MessagesIn and MessagesOut count service messages; MessagesOut counts
	// messages accepted by Send.
	MessagesIn  uint64 `json:"messages_in"`
	MessagesOut uint64 `json:"messages_out"`
	// FramesIn, FramesOut, BytesIn and BytesOut count link frames after the
	// handshake and their encrypted bytes.
	FramesIn  uint64 `json:"frames_in"`
	FramesOut uint64 `json:"frames_out"`
	BytesIn   uint64 `json:"bytes_in"`
	BytesOut  uint64 `json:"bytes_out"`
	// Rekeys counts keys replaced in the sending direction.
	Rekeys uint64 `json:"rekeys"`
	// QueueFull counts messages Send dropped with ErrQueueFull.
	QueueFull uint64 `json:"queue_full"`
	// ReplayedFrames counts frames dropped by the replay window.
	ReplayedFrames uint64 `json:"replayed_frames"`
	// DecryptFailures counts frames that failed to authenticate, each of
	// which ended its link.
	DecryptFailures uint64 `json:"decrypt_failures"`
	// UnknownService counts received messages of unregistered services.
	UnknownService uint64 `json:"unknown_service"`
	// LinksUp is the number of links now.
	LinksUp int `json:"links_up"`
	// PendingInbound is the number of inbound connections in their
	// handshake or waiting for their deadline after a silent rejection.
	PendingInbound int `json:"pending_inbound"`
}

// Stats returns a snapshot of the counters.
func (c *Core) Stats() Stats {
	s := c.stats
	out := Stats{
		HandshakesOK: s.handshakesOK, HandshakesFailed: s.handshakesFailed,
		ProbesDropped: make(map[string]uint64),
		MessagesIn:    s.messagesIn, MessagesOut: s.messagesOut,
		FramesIn: s.framesIn, FramesOut: s.framesOut, BytesIn: s.bytesIn, BytesOut: s.bytesOut,
		Rekeys: s.rekeys, QueueFull: s.queueFull, ReplayedFrames: s.replayedFrames,
		DecryptFailures: s.decryptFailures, UnknownService: s.unknownService,
		LinksUp: len(c.links),
	}
	for class, n := range s.probes {
		if n > 0 {
			out.ProbesDropped[probeClass(class).String()] = n
		}
	}
	for _, st := range c.conns {
		if st.phase == phaseInbound || st.phase == phaseRejected {
			out.PendingInbound++
		}
	}
	return out
}

// LinkInfo describes one link.
type LinkInfo struct {
	Peer identity.PeerID `json:"peer"`
	// Address is the remote transport address.
	Address string `json:"address"`
	// Direction is "outbound" when we dialled, "inbound" when the peer did.
	Direction   string    `json:"direction"`
	Established time.Time `json:"established"`
}

// LinkInfo returns the links in peer ID order.
func (c *Core) LinkInfo() []LinkInfo {
	out := make([]LinkInfo, 0, len(c.links))
	for _, id := range c.Neighbours() {
		l := c.links[id]
		out = append(out, LinkInfo{Peer: id, Address: l.conn.RemoteAddr(), Direction: l.direction(), Established: l.established})
	}
	return out
}
