package core

import (
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// phase is the state of a transport connection.
//
//	inbound:  accepted inbound ──first message valid──> link
//	            │ first message invalid, limit reached, or no frame
//	            v
//	rejected: Discard()ed, silent, closed at accept + HandshakeTimeout
//
//	outbound: dialled, first message sent ──second message valid──> link
type phase uint8

const (
	phaseInbound phase = iota
	phaseRejected
	phaseOutbound
	phaseLink
)

var phaseNames = [...]string{"inbound", "rejected", "outbound", "link"}

func (p phase) String() string { return phaseNames[p] }

// connState is CORE's state for one transport connection: a few words plus
// one timer, so an unauthenticated connection costs little memory.
type connState struct {
	seq   uint64
	conn  transport.Conn
	phase phase
	timer loop.Timer // the handshake deadline, in the inbound and rejected phases
	dial  *dialState // in phaseOutbound
	link  *link      // in phaseLink
}

func (c *Core) addConn(st *connState) {
	c.connSeq++
	st.seq = c.connSeq
	c.conns[st.conn] = st
}

func (st *connState) stopTimer() {
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
}

// Accepted implements transport.Handler. The new connection stays silent
// until a valid first message arrives. Its deadline is armed now, so every
// rejection closes it at the same moment: accept + HandshakeTimeout.
//
// Beyond MaxPending connections in their handshake, a new connection is
// rejected at once and never read. It still closes at its own deadline and
// costs only its connState and timer until then.
func (c *Core) Accepted(conn transport.Conn) {
	if c.closed {
		conn.Discard()
		conn.Close()
		return
	}
	st := &connState{conn: conn, phase: phaseInbound}
	c.addConn(st)
	st.timer = c.env.After(c.cfg.HandshakeTimeout, func() { c.inboundDeadline(st) })
	if c.reading >= c.cfg.MaxPending {
		st.phase = phaseRejected
		conn.Discard()
		c.countProbe(st, probeOverflow)
		return
	}
	c.reading++
}

// inboundDeadline closes an inbound connection whose handshake did not
// complete in time. Apart from Core.Close, it is the only place that closes
// a rejected connection.
func (c *Core) inboundDeadline(st *connState) {
	st.timer = nil
	if st.phase == phaseInbound {
		c.reading--
		st.conn.Discard()
		c.countProbe(st, probeSilent)
	}
	delete(c.conns, st.conn)
	st.conn.Close()
}

// Received implements transport.Handler.
func (c *Core) Received(conn transport.Conn, frame []byte) {
	st := c.conns[conn]
	if st == nil {
		return
	}
	switch st.phase {
	case phaseInbound:
		c.readFirst(st, frame)
	case phaseOutbound:
		c.readSecond(st.dial, frame)
	case phaseLink:
		st.link.receive(frame)
	}
}

// Closed implements transport.Handler. When the remote closes a rejected
// or handshaking connection first, its state is dropped without a word.
func (c *Core) Closed(conn transport.Conn, err error) {
	st := c.conns[conn]
	if st == nil {
		return
	}
	delete(c.conns, conn)
	switch st.phase {
	case phaseInbound:
		c.reading--
		st.stopTimer()
	case phaseRejected:
		st.stopTimer()
	case phaseOutbound:
		c.endDial(st.dial, "connection closed", true)
	case phaseLink:
		c.linkLost(st.link, err)
	}
}

// readFirst handles the first frame of an inbound connection: a Noise IK
// first message, or a probe to drop silently.
func (c *Core) readFirst(st *connState, frame []byte) {
	now := c.now()
	first, payload, class := c.keys.readFirst(c.env.Rand(), frame)
	if class == probeNone {
		class = c.replay.check(first.ephemeral, payload.Sent, now)
	}
	if class == probeNone {
		class = c.keys.checkIdentity(first, payload.Hello, c.hellos, c.self, now)
	}
	if class == probeNone {
		class = c.admitInbound(first)
	}
	if class != probeNone {
		c.reject(st, class)
		return
	}
	c.accept(st, first)
}

// accept sends the second handshake message in reply to a valid first one
// and turns the connection into a link.
func (c *Core) accept(st *connState, first *firstMessage) {
	s, msg, err := c.keys.respond(first, c.helloBytes())
	if err == nil {
		err = st.conn.Send(msg)
	}
	if err != nil {
		c.log.Warn("core: send second handshake message failed", "peer", first.hello.Peer.Short(), "err", err)
		c.reject(st, probeRefused)
		return
	}
	st.stopTimer()
	c.reading--
	c.establish(st, s)
}

// reject makes an inbound connection silent for good. It stays open until
// its deadline, which was fixed at accept.
func (c *Core) reject(st *connState, class probeClass) {
	if st.phase == phaseInbound {
		c.reading--
	}
	st.phase = phaseRejected
	st.conn.Discard()
	c.countProbe(st, class)
}

func (c *Core) countProbe(st *connState, class probeClass) {
	c.stats.probes[class]++
	c.probeLog.log(c.log, c.now(), class, st.conn.RemoteAddr())
}

// admitInbound applies the link limit and the rule that keeps one link per
// peer pair.
func (c *Core) admitInbound(first *firstMessage) probeClass {
	peer := first.hello.Peer
	if old := c.links[peer]; old != nil {
		if !c.replaces(old, peer) {
			return probeRefused
		}
		return probeNone
	}
	if d := c.dialing[peer]; d != nil {
		// Simultaneous dial: the link dialled by the lower peer ID wins.
		if c.self.Compare(peer) < 0 {
			return probeRefused
		}
		c.endDial(d, "superseded by the peer's dial", false)
		return probeNone
	}
	if len(c.links)+len(c.dialing) >= c.cfg.MaxLinks {
		return probeRefused
	}
	return probeNone
}
