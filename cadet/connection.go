package cadet

import (
	"errors"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// connState is the state of a connection endpoint:
//
//	creating --CREATE_ACK or any message--> ready
//	creating --no CREATE_ACK after maxCreateTries--> broken
//	ready --BROKEN, link down, keepalive timeout--> broken
type connState uint8

const (
	connCreating connState = iota
	connReady
	connBroken
)

func (s connState) String() string {
	switch s {
	case connCreating:
		return "creating"
	case connReady:
		return "ready"
	}
	return "broken"
}

// CREATE is retransmitted after createRTO, doubling each time, and the
// connection gives up after maxCreateTries. One second covers several
// relay hops on wide-area links.
const (
	createRTO      = time.Second
	maxCreateTries = 4
)

// deadAfter is how many keepalive intervals without any message break a
// connection. The far end sends at least one message per interval, so
// with 36% path loss (20% on each of two links) a live connection is
// declared dead after 6 quiet intervals with probability 0.36^6, about
// 0.2% per interval.
const deadAfter = 6

// connection is this peer's end of one path of a tunnel.
type connection struct {
	t         *tunnel
	cid       wire.ConnID
	hop       identity.PeerID   // neighbour on the path
	path      []identity.PeerID // full path, initiator first
	initiator bool
	state     connState
	lastRecv  time.Time
	lastSent  time.Time
	timer     loop.Timer
	tries     int
}

func (c *connection) e() *Engine { return c.t.e }

// start sends the CREATE of a connection this peer initiates.
func (c *connection) start() {
	c.sendCreate()
}

func (c *connection) sendCreate() {
	msg := (&wire.Create{CID: c.cid, Path: c.path}).Append(nil)
	c.tries++
	c.send(msg)
	if c.state != connCreating {
		return
	}
	c.timer = c.e().env.After(createRTO<<(c.tries-1), c.createTimeout)
}

func (c *connection) createTimeout() {
	c.timer = nil
	if c.tries >= maxCreateTries {
		c.fail("no CREATE_ACK")
		return
	}
	c.sendCreate()
}

func (c *connection) sendCreateAck() { c.send((&wire.CreateAck{CID: c.cid}).Append(nil)) }

// send hands msg to the first hop. Losing the link breaks the connection.
func (c *connection) send(msg []byte) {
	if c.state == connBroken {
		return
	}
	c.lastSent = c.e().now()
	if err := c.e().sendTo(c.hop, msg); errors.Is(err, core.ErrNoLink) {
		c.fail("first hop unreachable")
	}
}

func isNeighbour(e *Engine, p identity.PeerID) bool {
	for _, n := range e.links.Neighbours() {
		if n == p {
			return true
		}
	}
	return false
}

// receive handles a connection message addressed to this endpoint.
func (c *connection) receive(typ wire.Type, msg []byte) {
	c.lastRecv = c.e().now()
	switch typ {
	case wire.TypeBroken:
		c.fail("BROKEN from path")
		return
	case wire.TypeDestroy:
		c.fail("DESTROY from far end")
		return
	case wire.TypeCreateAck, wire.TypeKeepalive:
	default:
		c.makeReady()
		c.t.receiveOnConnection(c, typ, msg)
		return
	}
	c.makeReady()
}

// makeReady moves a new connection to ready: a CREATE_ACK, or any message
// from the far end, proves the path works.
func (c *connection) makeReady() {
	if c.state != connCreating {
		return
	}
	c.state = connReady
	c.stopTimer()
	c.e().debug("connection ready", "cid", c.cid.Short(), "peer", c.t.peer.Short(), "hops", len(c.path)-1)
	c.armKeepalive()
	c.t.connectionReady(c)
}

func (c *connection) armKeepalive() {
	c.timer = c.e().env.After(c.e().cfg.KeepaliveInterval, c.keepaliveTick)
}

// keepaliveTick sends a keepalive if the connection was quiet for half an
// interval, and breaks it if nothing arrived for deadAfter intervals.
func (c *connection) keepaliveTick() {
	c.timer = nil
	now, every := c.e().now(), c.e().cfg.KeepaliveInterval
	if now.Sub(c.lastRecv) > every*deadAfter {
		c.send((&wire.Destroy{CID: c.cid}).Append(nil))
		c.fail("keepalive timeout")
		return
	}
	if now.Sub(c.lastSent) >= every/2 {
		c.send((&wire.Keepalive{CID: c.cid}).Append(nil))
	}
	if c.state == connReady {
		c.t.requestOldStep()
	}
	c.armKeepalive()
}

func (c *connection) stopTimer() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// fail breaks the connection and reports it to its tunnel, which reroutes.
func (c *connection) fail(reason string) {
	if c.state == connBroken {
		return
	}
	c.e().debug("connection broken", "cid", c.cid.Short(), "peer", c.t.peer.Short(), "reason", reason)
	c.state = connBroken
	c.stopTimer()
	delete(c.e().conns, c.cid)
	c.t.connectionLost(c)
}

// destroy tears the connection down on purpose and sends DESTROY along
// the path.
func (c *connection) destroy() {
	if c.state == connBroken {
		return
	}
	c.send((&wire.Destroy{CID: c.cid}).Append(nil))
	c.state = connBroken
	c.stopTimer()
	delete(c.e().conns, c.cid)
}
