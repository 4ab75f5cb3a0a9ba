package cadet

import (
	"errors"
	"time"

	"github.com/flynn/noise"

	"github.com/hush-overlay/hush/cadet/ratchet"
	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// Tunnel limits. maxTunnelQueue bounds the tunnel messages (channel opens,
// acknowledgements, data) waiting for keys or a connection. Beyond it new
// ones are dropped, and reliable channels retransmit them later.
//
// maxChannels bounds the channels of one tunnel and maxConnections the
// connections the peer may create to this one, so that one authenticated
// peer cannot grow this peer's state without limit. Opens and CREATEs
// beyond them are rejected like any other.
const (
	maxTunnelQueue    = 256
	maxChannels       = 1024
	maxConnections    = 8
	tunnelIdleTimeout = 2 * time.Minute
	decryptFailLimit  = 8
)

// tunnel is the end-to-end association with one peer. It owns its
// connections, the key exchange state, the ratchet and the channels.
type tunnel struct {
	e    *Engine
	peer identity.PeerID

	conns    []*connection // creation order; the first ready one carries traffic
	paths    [][]identity.PeerID
	failed   map[string]time.Time // path key -> time it last broke
	lookup   func()
	looking  bool
	retry    loop.Timer
	ensuring bool // inside ensureConnections, which a failing start re-enters
	backoff  time.Duration
	everUp   bool

	hs            *noise.HandshakeState // handshake this tunnel started
	kxInit        []byte
	kxTries       int
	kxTimer       loop.Timer
	kxResponse    []byte // last KX_RESPONSE sent, repeated for a retransmitted KX_INIT
	lastInitClock uint64
	rat           *ratchet.State
	sealKey       [32]byte // seals headers of sent messages; see header_seal.go
	openKey       [32]byte
	binding       []byte
	established   time.Time
	decryptFails  int

	rtt    rttEstimator // seeds new channels' estimators
	kxSent time.Time
	kxOn   *connection // connection that carried the last KX_INIT
	// responder is set while the keys come from a handshake the peer
	// started.
	responder bool
	stepWait  loop.Timer // pending check that a requested DH step arrived
	roomRetry loop.Timer // pending retry after the first hop's queue filled

	queue    [][]byte
	channels map[uint32]*channel
	nextCTN  uint32
	idle     loop.Timer
	pathWait []func(error) // called once a connection is ready or no path exists
	dead     bool
}

func (e *Engine) newTunnel(peer identity.PeerID) *tunnel {
	t := &tunnel{e: e, peer: peer, failed: map[string]time.Time{}, channels: map[uint32]*channel{}}
	e.tunnels[peer] = t
	t.idle = e.env.After(tunnelIdleTimeout, t.idleTimeout)
	e.log.Info("tunnel created", "peer", peer.Short())
	return t
}

// tunnelTo returns the tunnel to peer, creating it and its connections.
func (e *Engine) tunnelTo(peer identity.PeerID) *tunnel {
	t := e.tunnels[peer]
	if t == nil {
		t = e.newTunnel(peer)
	}
	t.ensureConnections()
	return t
}

func (t *tunnel) readyConnections() int {
	n := 0
	for _, c := range t.conns {
		if c.state == connReady {
			n++
		}
	}
	return n
}

// bestConnection returns the oldest ready connection, or nil. Sending on
// one connection at a time keeps reordering low; the others stand by.
func (t *tunnel) bestConnection() *connection {
	for _, c := range t.conns {
		if c.state == connReady {
			return c
		}
	}
	return nil
}

// canSend reports whether a tunnel message would leave now.
func (t *tunnel) canSend() bool {
	return t.rat != nil && t.rat.CanSend(t.e.now()) && t.bestConnection() != nil
}

// sendTunnel encrypts and sends one tunnel message, or queues it until
// keys and a connection exist.
func (t *tunnel) sendTunnel(msg []byte) {
	if t.dead {
		return
	}
	if !t.canSend() || len(t.queue) > 0 {
		t.enqueue(msg)
		return
	}
	t.encryptAndSend(msg)
}

func (t *tunnel) enqueue(msg []byte) {
	if len(t.queue) >= maxTunnelQueue {
		t.e.debug("tunnel queue full, message dropped", "peer", t.peer.Short())
		return
	}
	t.queue = append(t.queue, msg)
	t.needKeys()
	t.checkStepPending()
}

// checkStepPending starts the wait for the peer's next ratchet key when
// the sending chain is used up and traffic is held back. A responder that
// has received nothing yet waits for the initiator's first message
// instead, which the initiator sends right after the handshake.
func (t *tunnel) checkStepPending() {
	if t.rat != nil && !t.rat.CanSend(t.e.now()) && (!t.responder || t.rat.Received()) {
		t.awaitStep()
	}
}

func (t *tunnel) encryptAndSend(msg []byte) bool {
	c := t.bestConnection()
	head := (&wire.TunnelData{CID: c.cid}).Append(nil)
	out, err := t.rat.AppendEncrypt(head, msg, t.binding, t.e.now())
	if errors.Is(err, ratchet.ErrStepPending) {
		t.awaitStep()
	}
	if err != nil {
		return false
	}
	xorHeader(t.sealKey, out[len(head):])
	c.send(out)
	return true
}

// flush sends queued messages while keys and a connection exist, then
// lets channels send data they held back.
func (t *tunnel) flush() {
	for len(t.queue) > 0 && t.canSend() {
		if !t.encryptAndSend(t.queue[0]) {
			return
		}
		t.queue = t.queue[1:]
	}
	if !t.canSend() {
		return
	}
	for _, ch := range sortedChannels(t.channels) {
		ch.pump()
	}
}

func (t *tunnel) installKeys(rat *ratchet.State, binding []byte) {
	t.rat, t.binding, t.established, t.decryptFails = rat, binding, t.e.now(), 0
	t.e.log.Info("tunnel established", "peer", t.peer.Short())
}

// receiveOnConnection handles KX and TUNNEL_DATA from one connection.
func (t *tunnel) receiveOnConnection(c *connection, typ wire.Type, msg []byte) {
	switch typ {
	case wire.TypeKXInit:
		if m, err := wire.ParseKXInit(msg); err == nil {
			t.receiveKXInit(c, m.Payload)
		}
	case wire.TypeKXResponse:
		if m, err := wire.ParseKXResponse(msg); err == nil {
			t.receiveKXResponse(m.Payload)
		}
	case wire.TypeTunnelData:
		if m, err := wire.ParseTunnelData(msg); err == nil {
			t.receiveData(m.Payload)
		}
	}
}

// receiveData decrypts one tunnel message. Data that arrives before any
// keys exist means the peer kept keys this peer lost, for example across a
// restart, so this end starts a new handshake.
func (t *tunnel) receiveData(payload []byte) {
	if t.rat == nil {
		if t.hs == nil {
			t.startKX()
		}
		return
	}
	couldSend := t.rat.CanSend(t.e.now())
	payload = append([]byte(nil), payload...)
	if !xorHeader(t.openKey, payload) {
		return
	}
	plain, err := t.rat.DecryptInPlace(payload, t.binding, t.e.now())
	if err != nil {
		t.decryptFailed(err)
		return
	}
	t.decryptFails = 0
	if !couldSend {
		t.flush()
	}
	t.dispatch(plain)
	if t.rat != nil && t.rat.PeerWantsStep() && t.canSend() {
		t.sendTunnel((&wire.TunnelKeepalive{}).Append(nil))
	}
}

// awaitStep waits for the peer's next ratchet key, which the step
// requests in recent headers ask for. If it has not come after two RTOs,
// the request or its response was lost and the tunnel runs a new
// handshake instead, which needs no ratchet message.
func (t *tunnel) awaitStep() {
	if t.stepWait != nil || t.hs != nil {
		return
	}
	t.e.stats.StepWaits++
	t.e.debug("tunnel waits for the peer's ratchet step", "peer", t.peer.Short())
	t.stepWait = t.e.env.After(2*t.rtt.rto(), func() {
		t.stepWait = nil
		if t.rat != nil && !t.rat.CanSend(t.e.now()) && t.hs == nil {
			t.startKX()
		}
	})
}

// requestOldStep sends a tunnel keepalive while the sending chain is old
// and the tunnel is idle. Its header requests a DH step, so the peer
// replies with a new ratchet key and the chain is replaced before it
// expires. Without it, an idle tunnel would need a new handshake at the
// next write.
func (t *tunnel) requestOldStep() {
	if t.rat == nil || len(t.queue) > 0 || !t.canSend() || !t.rat.ChainOld(t.e.now()) {
		return
	}
	t.sendTunnel((&wire.TunnelKeepalive{}).Append(nil))
}

// decryptFailed counts a message that did not decrypt and starts a new
// handshake after decryptFailLimit of them. A responder that has not
// decrypted anything yet starts one at the first failure. That case comes
// from two handshakes started at once: a late copy of the losing KX_INIT
// can make one end respond to it after the winning handshake finished,
// and the other end never takes those keys.
func (t *tunnel) decryptFailed(err error) {
	t.decryptFails++
	t.e.debug("tunnel message dropped", "peer", t.peer.Short(), "err", err)
	fresh := t.responder && !t.rat.Received()
	if (fresh || t.decryptFails >= decryptFailLimit) && t.hs == nil {
		t.decryptFails = 0
		t.startKX()
	}
}

// dispatch hands a decrypted tunnel message to its channel. Messages for
// unknown channels are dropped without a response.
//
// plain is a fresh buffer that nothing else refers to, so channels keep
// slices of it instead of copying.
func (t *tunnel) dispatch(plain []byte) {
	typ, err := wire.PeekType(plain)
	if err != nil {
		return
	}
	switch typ {
	case wire.TypeChannelOpen:
		t.e.receiveOpen(t, plain)
	case wire.TypeChannelOpenAck:
		if m, err := wire.ParseChannelOpenAck(plain); err == nil && t.channels[m.CTN] != nil {
			t.channels[m.CTN].receiveOpenAck(m)
		}
	case wire.TypeChannelData:
		if m, err := wire.ParseChannelData(plain); err == nil && t.channels[m.CTN] != nil {
			t.channels[m.CTN].receiveData(m)
		}
	case wire.TypeChannelAck:
		if m, err := wire.ParseChannelAck(plain); err == nil && t.channels[m.CTN] != nil {
			t.channels[m.CTN].receiveAck(m)
		}
	case wire.TypeChannelDestroy:
		if m, err := wire.ParseChannelDestroy(plain); err == nil && t.channels[m.CTN] != nil {
			t.channels[m.CTN].remoteDestroy()
		}
	}
}

// allocateCTN returns a free channel number. The top bit marks which end
// chose it, so both ends can open channels without colliding.
func (t *tunnel) allocateCTN() uint32 {
	var side uint32
	if t.e.self.Compare(t.peer) > 0 {
		side = 1 << 31
	}
	for {
		t.nextCTN = (t.nextCTN + 1) &^ (1 << 31)
		if ctn := side | t.nextCTN; t.channels[ctn] == nil {
			return ctn
		}
	}
}

// isPeerCTN reports whether ctn carries the peer's side bit.
func (t *tunnel) isPeerCTN(ctn uint32) bool {
	mine := t.e.self.Compare(t.peer) > 0
	return (ctn>>31 == 1) != mine
}

func (t *tunnel) addChannel(ch *channel) {
	t.channels[ch.ctn] = ch
	if t.idle != nil {
		t.idle.Stop()
		t.idle = nil
	}
}

func (t *tunnel) removeChannel(ch *channel) {
	delete(t.channels, ch.ctn)
	if len(t.channels) == 0 && t.idle == nil && !t.dead {
		t.idle = t.e.env.After(tunnelIdleTimeout, t.idleTimeout)
	}
}

func (t *tunnel) idleTimeout() {
	t.idle = nil
	if len(t.channels) == 0 {
		t.destroy(ErrClosed)
	}
}

// destroy tears the tunnel down with its connections and channels.
func (t *tunnel) destroy(err error) {
	if t.dead {
		return
	}
	t.dead = true
	for _, ch := range sortedChannels(t.channels) {
		ch.fail(err)
	}
	for _, c := range t.conns {
		c.destroy()
	}
	t.stopTimers()
	t.failWaiters(err)
	delete(t.e.tunnels, t.peer)
	t.e.log.Info("tunnel destroyed", "peer", t.peer.Short())
}

func (t *tunnel) stopTimers() {
	t.stopKXTimer()
	for _, tm := range []loop.Timer{t.retry, t.idle, t.stepWait, t.roomRetry} {
		if tm != nil {
			tm.Stop()
		}
	}
	if t.lookup != nil {
		t.lookup()
	}
}

// state names the tunnel's progress for TunnelInfo.
func (t *tunnel) state() string {
	switch {
	case t.rat != nil && t.bestConnection() != nil:
		return "ready"
	case t.rat != nil:
		return "rerouting"
	case t.hs != nil:
		return "handshake"
	case t.bestConnection() != nil:
		return "connected"
	}
	return "searching"
}
