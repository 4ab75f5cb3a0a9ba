package cadet

import (
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
)

// roomReporter is implemented by links that tell how much their queue to a
// neighbour still takes (core.Core does). With it, a channel holds data
// back while the first hop's queue is nearly full, instead of losing
// messages to ErrQueueFull and waiting for retransmission timers.
type roomReporter interface {
	SendRoom(to identity.PeerID) int
}

// dataRoom is the queue space a data message needs: one full message for
// it and one more for acknowledgements and other services.
const dataRoom = 2 * core.MaxMessageSize

// roomRetryDelay is the wait before a channel held back by a full queue
// tries again. CORE drains its queue in frames of up to 64 KiB, so a
// millisecond frees room at any useful link speed.
const roomRetryDelay = time.Millisecond

// hasDataRoom reports whether the tunnel's first hop takes another data
// message now. If not, it arms a retry that lets the channels send again.
func (t *tunnel) hasDataRoom() bool {
	r, ok := t.e.cfg.Links.(roomReporter)
	c := t.bestConnection()
	if !ok || c == nil || r.SendRoom(c.hop) >= dataRoom {
		return true
	}
	if t.roomRetry == nil {
		t.roomRetry = t.e.env.After(roomRetryDelay, func() {
			t.roomRetry = nil
			t.flush()
		})
	}
	return false
}

// requestOldStep sends a tunnel keepalive while the sending chain is old
// and the tunnel is idle. Its header requests a DH step, so the peer
// answers with a new ratchet key and the chain is replaced before it
// expires; an idle tunnel would otherwise find its chain expired at the
// next write and need a new handshake.
func (t *tunnel) requestOldStep() {
	if t.rat == nil || len(t.queue) > 0 || !t.canSend() || !t.rat.ChainOld(t.e.now()) {
		return
	}
	t.sendTunnel((&wire.TunnelKeepalive{}).Append(nil))
}
