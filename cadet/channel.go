package cadet

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hush-overlay/hush/cadet/ratchet"
	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// Reliability selects a channel's delivery guarantees.
type Reliability uint8

const (
	// ReliableOrdered is a byte stream, like TCP. It is the default.
	ReliableOrdered Reliability = iota
	// ReliableUnordered delivers each message once, as it arrives.
	ReliableUnordered
	// Unreliable sends datagrams: no acknowledgement, no retransmission
	// and no window; a full receive buffer drops new datagrams.
	Unreliable
)

func (r Reliability) String() string {
	switch r {
	case ReliableOrdered:
		return "reliable-ordered"
	case ReliableUnordered:
		return "reliable-unordered"
	}
	return "unreliable"
}

func (r Reliability) options() wire.ChannelOptions {
	switch r {
	case ReliableOrdered:
		return wire.OptReliable | wire.OptOrdered
	case ReliableUnordered:
		return wire.OptReliable
	}
	return 0
}

func reliabilityOf(o wire.ChannelOptions) Reliability {
	switch {
	case o&wire.OptReliable == 0:
		return Unreliable
	case o&wire.OptOrdered == 0:
		return ReliableUnordered
	}
	return ReliableOrdered
}

// MaxMessagePayload is the largest channel message: a CORE message minus
// the connection header, the ratchet header and tag, and the CHANNEL_DATA
// header. Messages of unreliable and unordered channels must fit.
const MaxMessagePayload = core.MaxMessageSize - 1 - wire.ConnIDSize - ratchet.HeaderSize - 16 - wire.ChannelDataOverhead

// streamSegment is the payload size a byte stream is cut into: the
// largest message, so that per-message costs (acknowledgements, ratchet
// steps, which come every few dozen messages, and system calls) are spread
// over as many bytes as CORE allows. A full receive window is then about
// 4 MiB, which bounds what one channel buffers for a slow reader.
const streamSegment = MaxMessagePayload

// Channel timers. A reliable channel that makes no progress for
// giveUpAfter is destroyed. A closed channel waits closeLinger for the
// peer's FIN. ackDelay bounds how long an acknowledgement is held back.
const (
	giveUpAfter = 2 * time.Minute
	closeLinger = time.Minute
	ackDelay    = 20 * time.Millisecond
	openMaxRTO  = 8 * time.Second
)

type chanState uint8

const (
	chanOpening chanState = iota
	chanOpen
	chanClosed
)

// channel is one channel's protocol state. Its application side is the
// Channel handle.
type channel struct {
	t        *tunnel
	ctn      uint32
	port     string
	portHash [wire.PortHashSize]byte
	secret   *[32]byte
	rel      Reliability
	opener   bool
	state    chanState
	err      error

	first     []byte
	replay    *Token // sent in place of a fresh token (OpenOptions.Replay)
	token     Token  // the token of the last open sent (see Channel.Token)
	openTimer loop.Timer
	openTries int
	openSent  time.Time
	onOpen    func(*Channel, error)

	snd sender
	rcv receiver

	closedLocal bool
	// writeClosed is set by CloseWrite: our FIN is queued, and data still
	// arrives until the application calls Close.
	writeClosed bool
	linger      loop.Timer
	app         *Channel
}

// Channel is the application's handle on a channel. Its methods must be
// called on the peer's loop; none of them waits.
type Channel struct {
	ch *channel
	// OnReadable and OnWritable, if set, are called on the loop when Read
	// or Write may make progress, or when the channel ends.
	OnReadable func()
	OnWritable func()

	inCall          bool // inside Read or Write: notifications wait
	pendingReadable bool
	pendingWritable bool
}

func (e *Engine) newChannel(t *tunnel, ctn uint32, rel Reliability, opener bool) *channel {
	ch := &channel{t: t, ctn: ctn, rel: rel, opener: opener}
	ch.snd.init(ch)
	ch.snd.rtt = t.rtt
	ch.snd.rtt.backoff = 0
	ch.rcv.init(e.cfg.ReceiveWindow)
	ch.app = &Channel{ch: ch}
	t.addChannel(ch)
	e.stats.ChannelsOpened++
	return ch
}

// OpenOptions are the loop-side options of Engine.Open.
type OpenOptions struct {
	Secret       *[32]byte
	Reliability  Reliability
	FirstPayload []byte
	// Replay, if set, is sent as the token of every open in place of one
	// made from Secret. It exists for simulations and tests that check
	// that a responder rejects a token it has already seen.
	Replay *Token
}

// Token is the stealth token of a channel open: its time, nonce and AV.
type Token struct {
	T     uint64
	Nonce [wire.NonceSize]byte
	AV    [wire.TokenSize]byte
}

// Open opens a channel to port on peer. done runs on the loop once: with
// the channel when the peer accepts, with ErrNoPath when no path exists.
// A rejected stealth open gets no response, so done waits until cancel,
// which the caller calls when its own deadline passes. done then gets
// ErrNoAnswer, or ErrNoPath if no connection to peer ever came up.
func (e *Engine) Open(peer identity.PeerID, port string, opts OpenOptions, done func(*Channel, error)) (cancel func()) {
	if len(opts.FirstPayload) > MaxFirstPayload {
		done(nil, fmt.Errorf("cadet: first payload of %d bytes exceeds %d; send the rest after the open", len(opts.FirstPayload), MaxFirstPayload))
		return func() {}
	}
	if peer == e.self {
		done(nil, fmt.Errorf("%w: %s is this peer", ErrNoPath, peer.Short()))
		return func() {}
	}
	t := e.tunnelTo(peer)
	ch := e.newChannel(t, t.allocateCTN(), opts.Reliability, true)
	ch.port, ch.portHash, ch.secret = port, PortHash(port, peer), opts.Secret
	ch.first, ch.onOpen, ch.replay = append([]byte(nil), opts.FirstPayload...), done, opts.Replay
	t.whenConnected(func(err error) {
		if err != nil {
			ch.fail(err)
		}
	})
	t.needKeys()
	ch.pump()
	return func() {
		if ch.state != chanOpening {
			return
		}
		if t.everUp {
			ch.fail(ErrNoAnswer)
		} else {
			ch.fail(ErrNoPath)
		}
	}
}

// MaxFirstPayload is the largest first payload a channel open carries:
// MaxMessagePayload less what CHANNEL_OPEN adds to CHANNEL_DATA.
const MaxFirstPayload = MaxMessagePayload - (1 + 4 + 1 + wire.PortHashSize + 8 + wire.NonceSize + wire.TokenSize - wire.ChannelDataOverhead)

// sendOpen sends CHANNEL_OPEN with a fresh token and arms its
// retransmission. Each retransmission carries a new token, since the
// responder refuses a token it has seen.
func (ch *channel) sendOpen() {
	if ch.openTimer != nil || !ch.t.canSend() {
		return
	}
	m := &wire.ChannelOpen{CTN: ch.ctn, Options: ch.rel.options(), PortHash: ch.portHash, Payload: ch.first}
	switch {
	case ch.replay != nil:
		m.T, m.Nonce, m.AV = ch.replay.T, ch.replay.Nonce, ch.replay.AV
	case ch.secret != nil:
		m.T = uint64(ch.t.e.now().Unix())
		if _, err := io.ReadFull(ch.t.e.env.Rand(), m.Nonce[:]); err != nil {
			panic("cadet: random source failed: " + err.Error())
		}
		m.AV = stealthAV(ch.secret, ch.t.binding, ch.t.peer, m)
	}
	ch.token = Token{T: m.T, Nonce: m.Nonce, AV: m.AV}
	ch.openTries++
	ch.openSent = ch.t.e.now()
	ch.t.sendTunnel(m.Append(nil))
	rto := min(ch.snd.rtt.rto()<<(ch.openTries-1), openMaxRTO)
	ch.openTimer = ch.t.e.env.After(rto, func() {
		ch.openTimer = nil
		if ch.state == chanOpening {
			ch.sendOpen()
		}
	})
}

func (ch *channel) receiveOpenAck(m *wire.ChannelOpenAck) {
	if !ch.opener || ch.state != chanOpening {
		return
	}
	if ch.openTries == 1 {
		ch.snd.rtt.sample(ch.t.e.now().Sub(ch.openSent))
		ch.t.rtt = ch.snd.rtt
	}
	ch.state = chanOpen
	stopTimer(&ch.openTimer)
	ch.snd.windowEnd = m.WindowEnd
	ch.t.e.stats.BytesSent += uint64(len(ch.first))
	ch.first = nil
	ch.rcv.sendAck(ch, 0)
	if done := ch.onOpen; done != nil {
		ch.onOpen = nil
		done(ch.app, nil)
	}
	ch.pump()
}

func stopTimer(t *loop.Timer) {
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
}

// pump sends whatever the channel may send now.
func (ch *channel) pump() {
	switch ch.state {
	case chanOpening:
		if ch.opener {
			ch.sendOpen()
		}
	case chanOpen:
		ch.snd.pump()
	}
}

// closeLocal is the application's Close: queued data is still delivered,
// then FIN. Data arriving afterwards is acknowledged and discarded.
func (ch *channel) closeLocal() {
	if ch.closedLocal || ch.state == chanClosed {
		return
	}
	ch.closedLocal = true
	if ch.state == chanOpening || ch.rel == Unreliable {
		ch.destroy()
		return
	}
	ch.rcv.discardAll(ch)
	if !ch.writeClosed {
		ch.snd.queueFIN()
	}
	ch.pump()
	ch.maybeFinish()
}

// closeWrite sends the queued data and then FIN, but keeps delivering what
// the peer sends, so that a protocol that ends its request by shutting
// down its sending side (HTTP/1.0 clients, ncat) works. The channel ends
// once the application calls Close. An unreliable channel has no FIN and
// ignores closeWrite.
func (ch *channel) closeWrite() {
	if ch.writeClosed || ch.closedLocal || ch.state == chanClosed || ch.rel == Unreliable {
		return
	}
	ch.writeClosed = true
	ch.snd.queueFIN()
	ch.pump()
}

// maybeFinish removes a channel whose both FINs are through. Once this
// side's FIN is acknowledged it waits at most closeLinger for the peer's.
func (ch *channel) maybeFinish() {
	if !ch.closedLocal || !ch.snd.finAcked() {
		return
	}
	if ch.rcv.finReceived() {
		ch.finish(nil)
		return
	}
	if ch.linger == nil {
		ch.linger = ch.t.e.env.After(closeLinger, ch.destroy)
	}
}

// destroy sends CHANNEL_DESTROY and drops the channel.
func (ch *channel) destroy() {
	if ch.state == chanClosed {
		return
	}
	if ch.state == chanOpen {
		ch.t.sendTunnel((&wire.ChannelDestroy{CTN: ch.ctn}).Append(nil))
	}
	ch.finish(ErrClosed)
}

func (ch *channel) remoteDestroy() {
	ch.finish(fmt.Errorf("%w: destroyed by peer", ErrClosed))
}

// fail ends the channel without telling the peer.
func (ch *channel) fail(err error) {
	if ch.state == chanClosed {
		return
	}
	if ch.state == chanOpen {
		ch.t.sendTunnel((&wire.ChannelDestroy{CTN: ch.ctn}).Append(nil))
	}
	ch.finish(err)
}

func (ch *channel) finish(err error) {
	if ch.state == chanClosed {
		return
	}
	ch.t.e.debug("channel finished", "ctn", ch.ctn, "err", err, "sent", ch.snd.next, "una", ch.snd.una, "cum", ch.rcv.cumAck)
	wasOpening := ch.state == chanOpening
	ch.state, ch.err = chanClosed, err
	stopTimer(&ch.openTimer)
	stopTimer(&ch.linger)
	ch.snd.stop()
	ch.rcv.stop()
	ch.t.removeChannel(ch)
	if done := ch.onOpen; done != nil && wasOpening {
		ch.onOpen = nil
		if err == nil {
			err = ErrClosed
		}
		done(nil, err)
	}
	ch.app.notifyReadable()
	ch.app.notifyWritable()
}

// Read copies received data into p. It returns 0 and nil when nothing is
// ready, io.EOF after the peer's FIN, or the error that ended the channel.
// An unreliable or unordered channel returns at most one message per call.
func (c *Channel) Read(p []byte) (int, error) {
	defer c.enter()()
	ch := c.ch
	n := ch.rcv.read(ch, p)
	if n > 0 {
		ch.t.e.stats.BytesReceived += uint64(n)
		return n, nil
	}
	if ch.rcv.eof() {
		return 0, io.EOF
	}
	if ch.state == chanClosed {
		return 0, ch.closedErr()
	}
	return 0, nil
}

// Write queues p for sending and returns how much fit in the send buffer.
// A message of an unreliable or unordered channel is queued whole or not
// at all.
func (c *Channel) Write(p []byte) (int, error) {
	defer c.enter()()
	ch := c.ch
	if ch.state == chanClosed || ch.closedLocal || ch.writeClosed {
		return 0, ch.closedErr()
	}
	if ch.rel != ReliableOrdered && len(p) > MaxMessagePayload {
		return 0, fmt.Errorf("cadet: message of %d bytes exceeds %d", len(p), MaxMessagePayload)
	}
	n := ch.snd.write(p)
	ch.pump()
	return n, nil
}

func (ch *channel) closedErr() error {
	if ch.err != nil {
		return ch.err
	}
	return ErrClosed
}

// Close sends the queued data and then FIN; see channel.closeLocal.
func (c *Channel) Close() { c.ch.closeLocal() }

// CloseWrite sends the queued data and then FIN, and keeps receiving; see
// channel.closeWrite.
func (c *Channel) CloseWrite() { c.ch.closeWrite() }

// Destroy aborts the channel at once.
func (c *Channel) Destroy() { c.ch.destroy() }

// Peer returns the remote peer.
func (c *Channel) Peer() identity.PeerID { return c.ch.t.peer }

// Port returns the port name, or "" on the accepting side of a channel
// whose port this peer does not name (it always does for its own ports).
func (c *Channel) Port() string { return c.ch.port }

// Token returns the stealth token that the peer accepted: that of the
// open, when it was sent once. It returns the zero Token on the accepting
// side, for a port without a secret, and when the open was retransmitted,
// since each retransmission carries a fresh token and the peer may have
// accepted any of them.
func (c *Channel) Token() Token {
	if c.ch.openTries != 1 {
		return Token{}
	}
	return c.ch.token
}

// Err returns why the channel ended, or nil while it is open or after a
// clean close.
func (c *Channel) Err() error { return c.ch.err }

// enter marks a Read or Write call. Notifications raised during it run
// from a zero-delay timer afterwards, so callbacks never re-enter the
// caller.
func (c *Channel) enter() (leave func()) {
	c.inCall = true
	return func() {
		c.inCall = false
		if c.pendingReadable || c.pendingWritable {
			c.ch.t.e.env.After(0, c.flushNotifications)
		}
	}
}

func (c *Channel) flushNotifications() {
	readable, writable := c.pendingReadable, c.pendingWritable
	c.pendingReadable, c.pendingWritable = false, false
	if readable {
		c.notifyReadable()
	}
	if writable {
		c.notifyWritable()
	}
}

func (c *Channel) notifyReadable() {
	if c.inCall {
		c.pendingReadable = true
		return
	}
	if c.OnReadable != nil {
		c.OnReadable()
	}
}

func (c *Channel) notifyWritable() {
	if c.inCall {
		c.pendingWritable = true
		return
	}
	if c.OnWritable != nil {
		c.OnWritable()
	}
}

var errGiveUp = errors.New("cadet: channel made no progress, peer unreachable")
