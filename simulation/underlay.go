package simulation

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// errUnreachable is what a dial to an offline or filtered peer gets.
var errUnreachable = errors.New("simulation: peer unreachable")

// netTotals are the frames and bytes the network carried and lost.
type netTotals struct {
	frames, bytes, lost uint64
}

// underlay is an in-memory network of mem://INDEX addresses in virtual
// time: every frame arrives whole after the latency plus its transmission
// time at the bandwidth, in order per direction, unless loss drops it or an
// end is offline.
//
// NOTE: this is a stopgap until transport/memnet lands in the repository;
// it models latency, loss, bandwidth, offline peers and a dial filter, but
// no partitions.
type underlay struct {
	sim       *loop.Sim
	latency   time.Duration
	loss      float64
	bandwidth BytesPerSecond
	rng       *rand.Rand
	nodes     map[int]*memTransport
	offline   map[int]bool
	// allow, when set, decides whether index from may dial index to.
	allow  func(from, to int) bool
	counts netTotals
}

func newUnderlay(sim *loop.Sim, cfg Config) *underlay {
	return &underlay{
		sim: sim, latency: cfg.Latency, loss: cfg.Loss, bandwidth: cfg.Bandwidth,
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0x6e6574)), // "net"
		nodes:   make(map[int]*memTransport),
		offline: make(map[int]bool),
	}
}

func (n *underlay) attach(index int, env loop.Env, h transport.Handler) transport.Transport {
	t := &memTransport{net: n, index: index, handler: h}
	n.nodes[index] = t
	return t
}

func (n *underlay) setOnline(index int, online bool) { n.offline[index] = !online }

func (n *underlay) totals() netTotals { return n.counts }

func (n *underlay) reachable(from, to int) bool {
	if n.offline[from] || n.offline[to] || n.nodes[to] == nil || n.nodes[to].closed {
		return false
	}
	return n.allow == nil || n.allow(from, to)
}

// memTransport is one peer's attachment to the underlay.
type memTransport struct {
	net     *underlay
	index   int
	handler transport.Handler
	conns   []*memConn
	closed  bool
}

func (t *memTransport) Scheme() string { return "mem" }

func (t *memTransport) Listen(addr string) (string, error) { return memAddress(t.index), nil }

func (t *memTransport) Dial(addr string, done func(transport.Conn, error)) {
	n := t.net
	to, err := parseMemAddress(addr)
	if err != nil || !n.reachable(t.index, to) {
		n.sim.Schedule(n.latency, func() { done(nil, fmt.Errorf("%w: %s", errUnreachable, addr)) })
		return
	}
	remote := n.nodes[to]
	out := &memConn{t: t}
	in := &memConn{t: remote, inbound: true}
	out.peer, in.peer = in, out
	t.conns = append(t.conns, out)
	remote.conns = append(remote.conns, in)
	n.sim.Schedule(n.latency, func() {
		if remote.closed || in.closed {
			done(nil, fmt.Errorf("%w: %s", errUnreachable, addr))
			return
		}
		remote.handler.Accepted(in)
		done(out, nil)
	})
}

func parseMemAddress(addr string) (int, error) {
	host, ok := strings.CutPrefix(addr, "mem://")
	if !ok {
		return 0, fmt.Errorf("simulation: invalid address %q, expected mem://INDEX", addr)
	}
	return strconv.Atoi(host)
}

func (t *memTransport) Close() error {
	t.closed = true
	for _, c := range t.conns {
		c.Close()
	}
	t.conns = nil
	return nil
}

// memConn is one end of a connection.
type memConn struct {
	t         *memTransport
	peer      *memConn
	inbound   bool
	closed    bool
	discarded bool
	// busyUntil is when the last queued frame has left at the bandwidth.
	busyUntil time.Duration
}

func (c *memConn) Inbound() bool      { return c.inbound }
func (c *memConn) LocalAddr() string  { return memAddress(c.t.index) }
func (c *memConn) RemoteAddr() string { return memAddress(c.peer.t.index) }
func (c *memConn) Discard()           { c.discarded = true }

func (c *memConn) Send(frame []byte) error {
	if c.closed {
		return transport.ErrClosed
	}
	if c.discarded {
		return nil
	}
	n := c.t.net
	if n.offline[c.t.index] || n.offline[c.peer.t.index] || (n.loss > 0 && n.rng.Float64() < n.loss) {
		n.counts.lost++
		return nil
	}
	n.counts.frames++
	n.counts.bytes += uint64(len(frame))
	n.sim.Schedule(c.departure(len(frame))+n.latency-n.sim.Elapsed(), func() { c.peer.deliver(frame) })
	return nil
}

// departure returns when a frame of size bytes has left the sender.
func (c *memConn) departure(size int) time.Duration {
	now := c.t.net.sim.Elapsed()
	bw := c.t.net.bandwidth
	if bw <= 0 {
		return now
	}
	c.busyUntil = max(c.busyUntil, now) + time.Duration(int64(size)*int64(time.Second)/int64(bw))
	return c.busyUntil
}

func (c *memConn) deliver(frame []byte) {
	if c.closed || c.discarded || c.t.net.offline[c.t.index] {
		return
	}
	c.t.handler.Received(c, frame)
}

// Close closes both ends. The remote end hears of it after the latency,
// unless this end is offline: a crashed peer says no goodbye.
func (c *memConn) Close() {
	if c.closed {
		return
	}
	c.closed = true
	n := c.t.net
	remote := c.peer
	if n.offline[c.t.index] {
		return
	}
	n.sim.Schedule(n.latency, func() {
		if !remote.closed {
			remote.closed = true
			remote.t.handler.Closed(remote, transport.ErrClosed)
		}
	})
}
