package core

import (
	"fmt"
	"io"
	"time"

	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// fakeNet is an in-package network on a loop.Sim: every frame arrives
// whole after delay, in order, unless tamper drops or changes it.
type fakeNet struct {
	sim       *loop.Sim
	delay     time.Duration
	listeners map[string]*fakeTransport
	// tamper, if set, gets every frame in flight and returns the frame to
	// deliver, or nil to drop it.
	tamper func(from *fakeConn, frame []byte) []byte
}

func newFakeNet(sim *loop.Sim) *fakeNet {
	return &fakeNet{sim: sim, delay: 5 * time.Millisecond, listeners: make(map[string]*fakeTransport)}
}

type fakeTransport struct {
	net   *fakeNet
	name  string
	h     transport.Handler
	conns []*fakeConn
}

func (n *fakeNet) transport(name string, h transport.Handler) *fakeTransport {
	return &fakeTransport{net: n, name: name, h: h}
}

func (t *fakeTransport) Scheme() string { return "mem" }

func (t *fakeTransport) Listen(addr string) (string, error) {
	bound := "mem://" + t.name
	t.net.listeners[bound] = t
	return bound, nil
}

func (t *fakeTransport) Dial(addr string, done func(transport.Conn, error)) {
	n := t.net
	remote := n.listeners[addr]
	if remote == nil {
		n.sim.Schedule(n.delay, func() { done(nil, fmt.Errorf("fake: nobody listens on %s", addr)) })
		return
	}
	out := &fakeConn{t: t, local: "mem://" + t.name, remote: addr}
	in := &fakeConn{t: remote, inbound: true, local: addr, remote: out.local}
	out.peer, in.peer = in, out
	t.conns = append(t.conns, out)
	remote.conns = append(remote.conns, in)
	n.sim.Schedule(n.delay, func() {
		remote.h.Accepted(in)
		done(out, nil)
	})
}

func (t *fakeTransport) Close() error {
	for _, c := range t.conns {
		c.Close()
	}
	return nil
}

// fakeConn records what CORE did to it, so tests can check silence.
type fakeConn struct {
	t             *fakeTransport
	peer          *fakeConn
	inbound       bool
	local, remote string
	// full makes Send return transport.ErrQueueFull.
	full       bool
	closed     bool
	discarded  bool
	written    int // frames sent
	closedAt   time.Duration
	closedByUs bool
}

func (c *fakeConn) Send(frame []byte) error {
	if c.closed {
		return transport.ErrClosed
	}
	if c.full {
		return transport.ErrQueueFull
	}
	if c.discarded {
		panic("fake: Send on a discarded connection")
	}
	c.written++
	n := c.t.net
	frame = append([]byte(nil), frame...)
	if n.tamper != nil {
		frame = n.tamper(c, frame)
	}
	if frame == nil {
		return nil
	}
	peer := c.peer
	n.sim.Schedule(n.delay, func() {
		if !peer.closed && !peer.discarded {
			peer.t.h.Received(peer, frame)
		}
	})
	return nil
}

func (c *fakeConn) Close() {
	if c.closed {
		return
	}
	c.closed, c.closedByUs = true, true
	n := c.t.net
	c.closedAt = n.sim.Elapsed()
	n.sim.Schedule(0, func() { c.t.h.Closed(c, nil) })
	peer := c.peer
	n.sim.Schedule(n.delay, func() { peer.remoteClosed() })
}

func (c *fakeConn) remoteClosed() {
	if c.closed {
		return
	}
	c.closed = true
	c.closedAt = c.t.net.sim.Elapsed()
	c.t.h.Closed(c, io.EOF)
}

func (c *fakeConn) Discard()           { c.discarded = true }
func (c *fakeConn) Inbound() bool      { return c.inbound }
func (c *fakeConn) LocalAddr() string  { return c.local }
func (c *fakeConn) RemoteAddr() string { return c.remote }

// rawClient is a test's handle on a dialled fake connection whose far end
// is a CORE. The test writes frames itself and reads what comes back.
type rawClient struct {
	conn     *fakeConn
	received [][]byte
	closed   bool
}

func (r *rawClient) Accepted(transport.Conn)             {}
func (r *rawClient) Received(_ transport.Conn, f []byte) { r.received = append(r.received, f) }
func (r *rawClient) Closed(transport.Conn, error)        { r.closed = true }

// dialRaw connects a rawClient to addr and returns it once connected.
func (n *fakeNet) dialRaw(name, addr string) *rawClient {
	r := &rawClient{}
	t := n.transport(name, r)
	t.Dial(addr, func(c transport.Conn, err error) {
		if err != nil {
			panic(err)
		}
		r.conn = c.(*fakeConn)
	})
	n.sim.RunFor(n.delay)
	return r
}
