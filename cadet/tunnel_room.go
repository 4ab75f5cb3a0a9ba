package cadet

import (
	"time"

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
	c := t.bestConnection()
	if t.e.room == nil || c == nil || t.e.room.SendRoom(c.hop) >= dataRoom {
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
