package memnet

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// Errors a dial reports. They wrap the dialled address.
var (
	ErrRefused   = errors.New("memnet: connection refused")
	ErrFiltered  = errors.New("memnet: dial rejected by the dial filter")
	ErrTimedOut  = errors.New("memnet: dial timed out")
	errBadScheme = errors.New("memnet: address scheme is not mem")
)

// Transport is one peer's attachment to a Network, with address mem://N.
type Transport struct {
	net   *Network
	index int
	addr  string
	h     transport.Handler
	log   *slog.Logger

	listening bool
	closed    bool
	conns     []*conn // open connections, in the order they opened
	stats     Stats
}

var _ transport.Transport = (*Transport)(nil)

func newTransport(n *Network, index int, env loop.Env, h transport.Handler) *Transport {
	log := env.Log()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Transport{
		net:   n,
		index: index,
		addr:  Address(index),
		h:     h,
		log:   log.With("subsystem", "transport", "scheme", "mem"),
	}
}

// Address returns the address URL of the peer with the given index.
func Address(index int) string { return "mem://" + strconv.Itoa(index) }

// ParseAddress returns the peer index of a mem://N address.
func ParseAddress(addr string) (int, error) {
	scheme, host, err := transport.SplitAddress(addr)
	if err != nil {
		return 0, err
	}
	if scheme != "mem" {
		return 0, fmt.Errorf("%w: %q", errBadScheme, addr)
	}
	index, err := strconv.Atoi(host)
	if err != nil || index < 0 {
		return 0, fmt.Errorf("memnet: invalid address %q: expected mem://N with N a peer index", addr)
	}
	return index, nil
}

// Scheme implements transport.Transport.
func (t *Transport) Scheme() string { return "mem" }

// Index returns the peer index the transport was attached with.
func (t *Transport) Index() int { return t.index }

// Stats returns the counters of frames this transport sent and received.
func (t *Transport) Stats() Stats { return t.stats }

// Listen implements transport.Transport. addr must be the transport's own
// mem://N address.
func (t *Transport) Listen(addr string) (string, error) {
	index, err := ParseAddress(addr)
	if err != nil {
		return "", err
	}
	if index != t.index {
		return "", fmt.Errorf("memnet: listen on %s: this transport is %s", addr, t.addr)
	}
	if t.closed {
		return "", transport.ErrClosed
	}
	t.listening = true
	return t.addr, nil
}

// Dial implements transport.Transport. done runs one round trip later on
// success or when nothing listens at addr, one latency later when the dial
// filter rejects the dial, and after Config.DialTimeout across a partition.
func (t *Transport) Dial(addr string, done func(transport.Conn, error)) {
	to, err := ParseAddress(addr)
	if err == nil && t.closed {
		err = fmt.Errorf("memnet: dial %s: %w", addr, transport.ErrClosed)
	}
	if err != nil {
		t.net.sim.Schedule(0, func() { done(nil, err) })
		return
	}
	n := t.net
	n.stats.Dials++
	t.stats.Dials++
	switch {
	case n.dialFilter != nil && !n.dialFilter(t.index, to):
		t.failDial(n.link(t.index, to).Latency, addr, ErrFiltered, done)
	case !n.reachable(t.index, to):
		t.failDial(n.cfg.DialTimeout, addr, ErrTimedOut, done)
	default:
		n.sim.Schedule(n.link(t.index, to).Latency, func() { t.arriveAt(to, done) })
	}
}

// failDial reports a failed dial to done after delay.
func (t *Transport) failDial(delay time.Duration, addr string, err error, done func(transport.Conn, error)) {
	t.net.sim.Schedule(delay, func() {
		t.net.stats.DialsFailed++
		t.stats.DialsFailed++
		t.log.Debug("dial failed", "from", t.addr, "to", addr, "err", err)
		done(nil, fmt.Errorf("memnet: dial %s: %w", addr, err))
	})
}

// arriveAt runs when the connection request reaches peer to. The reply, an
// accepted connection or a refusal, travels back to the dialler.
func (t *Transport) arriveAt(to int, done func(transport.Conn, error)) {
	back := t.net.link(to, t.index).Latency
	listener := t.net.peers[to]
	if listener == nil || !listener.listening || listener.closed || !t.net.reachable(t.index, to) {
		t.failDial(back, Address(to), ErrRefused, done)
		return
	}
	dialled, accepted := newConnPair(t, listener)
	// done is scheduled before Accepted runs, so it precedes any frame the
	// listener sends back from inside Accepted.
	accepted.lastArrival = t.net.sim.Elapsed() + back
	t.net.sim.Schedule(back, func() { t.completeDial(dialled, done) })
	listener.add(accepted)
	listener.h.Accepted(accepted)
}

// completeDial hands the new connection to the dialler, or closes it when
// the dialler closed its transport in the meantime.
func (t *Transport) completeDial(c *conn, done func(transport.Conn, error)) {
	if t.closed {
		c.state = stateClosed
		c.notifyPeer()
		t.failDial(0, c.remote, transport.ErrClosed, done)
		return
	}
	t.add(c)
	done(c, nil)
}

func (t *Transport) add(c *conn) {
	c.slot = len(t.conns)
	t.conns = append(t.conns, c)
}

// remove drops c from the open connections, keeping the order of the rest
// for deterministic iteration.
func (t *Transport) remove(c *conn) {
	if c.slot < 0 || c.slot >= len(t.conns) || t.conns[c.slot] != c {
		return
	}
	copy(t.conns[c.slot:], t.conns[c.slot+1:])
	t.conns[len(t.conns)-1] = nil
	t.conns = t.conns[:len(t.conns)-1]
	for i := c.slot; i < len(t.conns); i++ {
		t.conns[i].slot = i
	}
	c.slot = -1
}

// Close implements transport.Transport: it stops listening and closes every
// connection as Conn.Close does. Dials still in progress fail.
func (t *Transport) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	t.listening = false
	for _, c := range append([]*conn(nil), t.conns...) {
		c.Close()
	}
	return nil
}
