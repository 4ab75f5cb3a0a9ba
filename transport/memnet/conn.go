package memnet

import (
	"bytes"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/transport"
)

// connState is the lifecycle stage of one end of a connection.
type connState uint8

const (
	stateOpen       connState = iota
	stateDiscarding           // Discard was called: arriving frames are dropped
	stateClosed               // Closed is reported or scheduled: no more events
)

func (s connState) String() string {
	return [...]string{"open", "discarding", "closed"}[s]
}

// conn is one end of a connection. The fields that describe the direction
// from this end to its peer (busyUntil, lastArrival, inFlight) belong to
// this end, so the two directions queue independently.
type conn struct {
	owner   *Transport
	peer    *conn
	id      uint64 // shared by both ends, in the order connections opened
	inbound bool
	local   string
	remote  string
	state   connState
	slot    int // index in owner.conns, -1 once removed

	busyUntil   time.Duration // Sim time when the link is free for the next frame
	lastArrival time.Duration // latest arrival scheduled, which keeps frames in order
	inFlight    int           // bytes sent and not yet delivered or dropped
}

var _ transport.Conn = (*conn)(nil)

// newConnPair creates both ends of a connection from dialler to listener.
func newConnPair(dialler, listener *Transport) (dialled, accepted *conn) {
	dialler.net.nextConnID++
	id := dialler.net.nextConnID
	dialled = &conn{owner: dialler, id: id, local: dialler.addr, remote: listener.addr, slot: -1}
	accepted = &conn{owner: listener, id: id, inbound: true, local: listener.addr, remote: dialler.addr, slot: -1}
	dialled.peer, accepted.peer = accepted, dialled
	return dialled, accepted
}

func (c *conn) Inbound() bool      { return c.inbound }
func (c *conn) LocalAddr() string  { return c.local }
func (c *conn) RemoteAddr() string { return c.remote }
func (c *conn) String() string     { return fmt.Sprintf("%s->%s#%d", c.local, c.remote, c.id) }

// Send implements transport.Conn. The frame is copied, so the caller may
// reuse it. A frame that the network drops still occupies the link.
func (c *conn) Send(frame []byte) error {
	if err := checkLength(len(frame)); err != nil {
		return err
	}
	if c.state != stateOpen {
		return transport.ErrClosed
	}
	n := c.owner.net
	if c.inFlight+len(frame) > n.cfg.SendQueueBytes {
		n.count(c.owner, func(s *Stats) *Count { return &s.QueueFull }, len(frame))
		return transport.ErrQueueFull
	}
	n.count(c.owner, func(s *Stats) *Count { return &s.Sent }, len(frame))
	from, to := c.owner.index, c.peer.owner.index
	link := n.link(from, to)
	now := n.sim.Elapsed()
	c.busyUntil = max(now, c.busyUntil) + link.transmitTime(len(frame))
	if drop := n.dropCounter(from, to, frame, link); drop != nil {
		n.count(c.owner, drop, len(frame))
		return nil
	}
	c.schedule(bytes.Clone(frame), c.busyUntil+link.Latency-now)
	return nil
}

func checkLength(n int) error {
	if n == 0 {
		return transport.ErrEmptyFrame
	}
	if n > transport.MaxFrameSize {
		return fmt.Errorf("%w: got %d bytes", transport.ErrFrameTooLong, n)
	}
	return nil
}

// dropCounter decides whether a frame from peer from to peer to is dropped,
// and returns the counter for the reason, or nil to deliver it. The loss
// draw happens only on lossy links, so adding a lossless link does not
// shift the random stream of the others.
func (n *Network) dropCounter(from, to int, frame []byte, link LinkConfig) func(*Stats) *Count {
	switch {
	case !n.reachable(from, to):
		return func(s *Stats) *Count { return &s.Partitioned }
	case link.Loss > 0 && n.rand.Float64() < link.Loss:
		return func(s *Stats) *Count { return &s.Lost }
	case n.dropHook != nil && n.dropHook(from, to, frame):
		return func(s *Stats) *Count { return &s.Hooked }
	}
	return nil
}

// schedule delivers frame to the peer after delay, but never before a frame
// sent earlier on c, so a latency changed by SetLink cannot reorder frames.
func (c *conn) schedule(frame []byte, delay time.Duration) {
	n := c.owner.net
	arrival := max(n.sim.Elapsed()+delay, c.lastArrival)
	c.lastArrival = arrival
	c.inFlight += len(frame)
	n.sim.Schedule(arrival-n.sim.Elapsed(), func() { c.arrive(frame) })
}

// arrive hands frame to the peer's handler unless the peer end stopped
// taking frames.
func (c *conn) arrive(frame []byte) {
	c.inFlight -= len(frame)
	receiver := c.peer
	n := c.owner.net
	if receiver.state != stateOpen {
		n.count(receiver.owner, func(s *Stats) *Count { return &s.Unreceived }, len(frame))
		return
	}
	n.count(receiver.owner, func(s *Stats) *Count { return &s.Delivered }, len(frame))
	receiver.owner.h.Received(receiver, frame)
}

// Close implements transport.Conn. Frames already sent are still delivered;
// the peer learns of the close one latency after the last of them arrives.
// The owner's Closed event runs at the current instant, after the caller
// returns.
func (c *conn) Close() {
	if c.state == stateClosed {
		return
	}
	c.state = stateClosed
	c.owner.remove(c)
	c.owner.net.sim.Schedule(0, func() { c.owner.h.Closed(c, nil) })
	c.notifyPeer()
}

// notifyPeer reports this end's close to the other end, after the frames
// still in flight.
//
// NOTE: the notice crosses partitions, unlike frames, so a partitioned peer
// still learns of the close. Otherwise its conn would stay open until its
// owner's own timeout.
func (c *conn) notifyPeer() {
	n := c.owner.net
	now := n.sim.Elapsed()
	arrival := max(now+n.link(c.owner.index, c.peer.owner.index).Latency, c.lastArrival)
	n.sim.Schedule(arrival-now, func() { c.peer.closedByPeer() })
}

// closedByPeer reports the remote close to the owner unless this end has
// already closed.
func (c *conn) closedByPeer() {
	if c.state == stateClosed {
		return
	}
	c.state = stateClosed
	c.owner.remove(c)
	c.owner.h.Closed(c, fmt.Errorf("memnet: %s closed the connection: %w", c.remote, transport.ErrClosed))
}

// Discard implements transport.Conn.
func (c *conn) Discard() {
	if c.state == stateOpen {
		c.state = stateDiscarding
	}
}
