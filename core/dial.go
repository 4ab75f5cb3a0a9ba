package core

import (
	"errors"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// ErrLinkLimit is returned by Dial when MaxLinks links and dials exist.
var ErrLinkLimit = errors.New("core: link limit reached")

// dialState is an outbound handshake in progress. It is registered in
// Core.dialing from Dial until the handshake completes or fails.
type dialState struct {
	peer  identity.PeerID
	addr  string
	conn  transport.Conn
	hs    *handshake
	timer loop.Timer
	// done reports the outcome: true once the link is up.
	done func(ok bool)
}

// Dial opens a link to peer at addr. It returns at once: LinkUp reports
// success. It does nothing when a link to peer exists or a dial is in
// progress, and fails when the address has no transport or MaxLinks is
// reached.
func (c *Core) Dial(peer identity.PeerID, addr string) error {
	return c.dial(peer, addr, func(bool) {})
}

func (c *Core) dial(peer identity.PeerID, addr string, done func(bool)) error {
	if c.closed {
		return fmt.Errorf("core: dial %s: closed", peer.Short())
	}
	if peer == c.self {
		return fmt.Errorf("core: dial %s: that is this peer", peer.Short())
	}
	if c.links[peer] != nil || c.dialing[peer] != nil {
		return nil
	}
	if len(c.links)+len(c.dialing) >= c.cfg.MaxLinks {
		return fmt.Errorf("core: dial %s: %w (%d)", peer.Short(), ErrLinkLimit, c.cfg.MaxLinks)
	}
	t, err := c.transportFor(addr)
	if err != nil {
		return err
	}
	d := &dialState{peer: peer, addr: addr, done: done}
	c.dialing[peer] = d
	d.timer = c.env.After(c.cfg.HandshakeTimeout, func() { c.endDial(d, "handshake timed out", true) })
	t.Dial(addr, func(conn transport.Conn, err error) { c.dialed(d, conn, err) })
	return nil
}

// dialed runs when the transport connection is up (or failed) and sends the
// first handshake message.
func (c *Core) dialed(d *dialState, conn transport.Conn, err error) {
	if c.dialing[d.peer] != d {
		if conn != nil {
			conn.Close()
		}
		return
	}
	if err != nil {
		c.endDial(d, err.Error(), true)
		return
	}
	d.conn = conn
	c.addConn(&connState{conn: conn, phase: phaseOutbound, dial: d})
	hs, msg, err := c.keys.initiate(c.env.Rand(), d.peer, c.now(), c.helloBytes())
	if err == nil {
		d.hs = hs
		err = conn.Send(msg)
	}
	if err != nil {
		c.endDial(d, err.Error(), true)
	}
}

// readSecond completes an outbound handshake.
func (c *Core) readSecond(d *dialState, frame []byte) {
	s, err := d.hs.finish(c.keys, c.hellos, d.peer, frame, c.now())
	if err != nil {
		c.endDial(d, err.Error(), true)
		return
	}
	if old := c.links[d.peer]; old != nil && !c.replaces(old, c.self) {
		c.endDial(d, "a link to the peer exists", false)
		return
	}
	d.timer.Stop()
	delete(c.dialing, d.peer)
	c.establish(c.conns[d.conn], s)
	d.done(true)
}

// endDial abandons an outbound handshake. It counts a failed handshake only
// if failed is set, which callers clear when another link made the dial
// unnecessary.
func (c *Core) endDial(d *dialState, reason string, failed bool) {
	if c.dialing[d.peer] != d {
		return
	}
	delete(c.dialing, d.peer)
	d.timer.Stop()
	if d.conn != nil {
		delete(c.conns, d.conn)
		d.conn.Close()
	}
	if failed {
		c.stats.handshakesFailed++
		c.log.Info("core: dial failed", "peer", d.peer.Short(), "address", d.addr, "reason", reason)
	}
	d.done(!failed)
}

// replaces reports whether a new session with old's peer, dialled by
// initiator, replaces the established link old. A peer that restarted must
// reconnect before its old link times out, so the new session normally
// wins. The exception settles a simultaneous dial that both sides
// completed: for HandshakeTimeout after old came up, a link dialled by the
// lower peer ID is kept against one dialled by the higher peer ID.
func (c *Core) replaces(old *link, initiator identity.PeerID) bool {
	oldInitiator := old.peer
	if old.outbound {
		oldInitiator = c.self
	}
	young := c.now().Sub(old.established) < c.cfg.HandshakeTimeout
	return !young || oldInitiator.Compare(initiator) >= 0
}

// Connect opens a link to the peer of h, trying its addresses in order, if
// no link exists and the link limit allows. It stores h in the peer store.
// The caller must have verified h.
func (c *Core) Connect(h *hello.Hello) {
	if h == nil || h.Peer == c.self || h.Expired(c.now()) {
		return
	}
	if _, err := c.peers.Put(h); err != nil {
		c.log.Warn("core: store HELLO failed", "peer", h.Peer.Short(), "err", err)
	}
	c.connectAddresses(h.Peer, h.Addresses, func(bool) {})
}

// connectAddresses dials addrs one after another until a link is up.
func (c *Core) connectAddresses(peer identity.PeerID, addrs []string, done func(bool)) {
	for i, addr := range addrs {
		rest := addrs[i+1:]
		err := c.dial(peer, addr, func(ok bool) {
			if ok || len(rest) == 0 || c.closed {
				done(ok)
				return
			}
			c.connectAddresses(peer, rest, done)
		})
		if err == nil || errors.Is(err, ErrLinkLimit) {
			return
		}
	}
	done(false)
}

// bootstrapState keeps a link to one configured bootstrap peer. After each
// failed dial or lost link it redials after a delay that doubles from
// BackoffMin up to BackoffMax, jittered by ±20%; a link resets the delay.
type bootstrapState struct {
	peer  BootstrapPeer
	delay time.Duration
	timer loop.Timer
}

func (b *bootstrapState) stop() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

func (c *Core) parseBootstrap(entries []string) error {
	c.bootstrap = make(map[identity.PeerID]*bootstrapState, len(entries))
	for _, e := range entries {
		p, err := ParseBootstrap(e)
		if err != nil {
			return err
		}
		if p.Peer == c.self {
			return fmt.Errorf("core: bootstrap peer %q is this peer", e)
		}
		c.bootstrap[p.Peer] = &bootstrapState{peer: p, delay: c.cfg.BackoffMin}
	}
	return nil
}

// redial dials a bootstrap peer now unless a link or dial exists.
func (c *Core) redial(b *bootstrapState) {
	b.timer = nil
	if c.closed || c.links[b.peer.Peer] != nil || c.dialing[b.peer.Peer] != nil {
		return
	}
	err := c.dial(b.peer.Peer, b.peer.Address, func(ok bool) {
		if !ok {
			c.scheduleRedial(b)
		}
	})
	if err != nil {
		c.log.Info("core: bootstrap dial failed", "peer", b.peer.Peer.Short(), "err", err)
		c.scheduleRedial(b)
	}
}

func (c *Core) scheduleRedial(b *bootstrapState) {
	if c.closed || b.timer != nil {
		return
	}
	wait := loop.Jitter(c.env.Rand(), b.delay, 0.2)
	b.delay = min(2*b.delay, c.cfg.BackoffMax)
	b.timer = c.env.After(wait, func() { c.redial(b) })
}

// bootstrapLink tracks links to bootstrap peers: up resets the backoff,
// down schedules a redial.
func (c *Core) bootstrapLink(peer identity.PeerID, up bool) {
	b := c.bootstrap[peer]
	if b == nil || !c.started {
		return
	}
	if up {
		b.stop()
		b.delay = c.cfg.BackoffMin
		return
	}
	c.scheduleRedial(b)
}
