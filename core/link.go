package core

import (
	"math"
	"time"

	"github.com/flynn/noise"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// sendRetryDelay is how long a link waits before offering a frame again
// that the transport refused because its queue was full. Transports do not
// report when their queue drains, so the link polls, and only while it has
// a backlog.
const sendRetryDelay = time.Millisecond

// maxEpochSkip is how many rekeys a received frame may be ahead of the last
// key that authenticated a frame. Frames of the previous epoch are still
// accepted, so reordering across one rekey is harmless.
const maxEpochSkip = 4

// link is an authenticated, encrypted connection to a neighbour. It is owned
// by the loop; a link that is no longer in Core.links is dead and ignores
// every event.
type link struct {
	core        *Core
	peer        identity.PeerID
	conn        transport.Conn
	hello       *hello.Hello
	outbound    bool
	established time.Time

	send sendKeys
	recv recvKeys

	// queue holds record batches not yet sealed. Each batch starts with
	// frameHeaderSize bytes reserved for the header, then records.
	queue [][]byte
	// refused is a sealed frame the transport refused; it goes out first.
	refused []byte
	// queued counts record bytes in queue and refused, bounded by
	// Config.SendQueueBytes.
	queued      int
	flushPosted bool
	retry       loop.Timer

	lastSent time.Time
	lastRecv time.Time
	timer    loop.Timer // keepalive and dead-link check
}

// sendKeys is the sending direction's cipher with its explicit nonce.
type sendKeys struct {
	cipher      noise.Cipher
	epoch       uint8
	nonce       uint64
	epochFrames uint64
	epochStart  time.Time
}

// recvKeys holds the receiving direction's current and previous keys.
type recvKeys struct {
	current  noise.Cipher
	previous noise.Cipher // nil before the first rekey
	epoch    uint8
	window   replayWindow
}

// rekey derives the next key as Noise's REKEY function does.
func rekey(c noise.Cipher) noise.Cipher {
	var zeros [keySize]byte
	out := c.Encrypt(nil, math.MaxUint64, nil, zeros[:])
	return noise.CipherChaChaPoly.Cipher([keySize]byte(out[:keySize]))
}

// establish turns a completed handshake on st into the link to its peer,
// replacing any older link to that peer.
func (c *Core) establish(st *connState, s *session) {
	now := c.now()
	peer := s.hello.Peer
	l := &link{
		core: c, peer: peer, conn: st.conn, hello: s.hello, outbound: s.initiator,
		established: now, lastSent: now, lastRecv: now,
		send: sendKeys{cipher: s.send, epochStart: now},
		recv: recvKeys{current: s.recv},
	}
	if old := c.links[peer]; old != nil {
		c.dropLink(old, true, "replaced by a new handshake")
	}
	st.phase, st.link = phaseLink, l
	c.links[peer] = l
	c.stats.handshakesOK++
	if _, err := c.peers.Put(s.hello); err != nil {
		c.log.Warn("core: store HELLO failed", "peer", peer.Short(), "err", err)
	}
	l.armTimer()
	c.log.Info("core: link up", "peer", peer.Short(), "address", st.conn.RemoteAddr(), "direction", l.direction())
	for _, r := range c.services {
		r.handler.LinkUp(peer)
	}
	c.bootstrapLink(peer, true)
}

func (l *link) direction() string {
	if l.outbound {
		return "outbound"
	}
	return "inbound"
}

func (l *link) alive() bool { return l.core.links[l.peer] == l }

// dropLink ends a link we decided to end. graceful sends a close message
// first, so the peer drops the link at once instead of after DeadTimeout.
func (c *Core) dropLink(l *link, graceful bool, reason string) {
	if !l.alive() {
		return
	}
	if graceful {
		l.enqueue(serviceControl, []byte{controlClose}, true)
		l.flush()
	}
	delete(c.conns, l.conn)
	l.conn.Close()
	c.linkDown(l, reason)
}

// linkLost ends a link whose connection is already gone.
func (c *Core) linkLost(l *link, err error) {
	reason := "connection closed"
	if err != nil {
		reason = err.Error()
	}
	c.linkDown(l, reason)
}

func (c *Core) linkDown(l *link, reason string) {
	if !l.alive() {
		return
	}
	delete(c.links, l.peer)
	l.stopTimers()
	l.queue, l.refused, l.queued = nil, nil, 0
	c.log.Info("core: link down", "peer", l.peer.Short(), "reason", reason)
	for _, r := range c.services {
		r.handler.LinkDown(l.peer)
	}
	c.bootstrapLink(l.peer, false)
}

func (l *link) stopTimers() {
	for _, t := range []*loop.Timer{&l.timer, &l.retry} {
		if *t != nil {
			(*t).Stop()
			*t = nil
		}
	}
}

// armTimer schedules the next keepalive or dead-link check, whichever is
// due first. An idle link thus costs one timer event per keepalive interval.
func (l *link) armTimer() {
	cfg := &l.core.cfg
	now := l.core.now()
	next := l.lastSent.Add(cfg.KeepaliveInterval)
	if dead := l.lastRecv.Add(cfg.DeadTimeout); dead.Before(next) {
		next = dead
	}
	if !next.After(now) {
		next = now.Add(cfg.KeepaliveInterval)
	}
	l.timer = l.core.env.After(next.Sub(now), l.tick)
}

func (l *link) tick() {
	l.timer = nil
	now := l.core.now()
	cfg := &l.core.cfg
	if now.Sub(l.lastRecv) >= cfg.DeadTimeout {
		l.core.dropLink(l, false, "no frame received within DeadTimeout")
		return
	}
	if now.Sub(l.lastSent) >= cfg.KeepaliveInterval {
		l.enqueue(serviceControl, []byte{controlKeepalive}, true)
		l.flush()
		l.lastSent = now
	}
	l.armTimer()
}
