package cadet

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"time"

	"github.com/flynn/noise"
	"golang.org/x/crypto/hkdf"

	"github.com/hush-overlay/hush/cadet/ratchet"
	"github.com/hush-overlay/hush/cadet/wire"
)

// The tunnel key exchange is Noise IK (Noise Protocol Framework, revision
// 34): the initiator takes the target's static key from its peer ID and
// proves its own in message 1. After message 2 both ends derive
// the ratchet's shared secret from the split keys, and the handshake hash
// becomes the tunnel binding that stealth tokens commit to.
var (
	noiseSuite    = noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashBLAKE2b)
	noisePrologue = []byte("hush-cadet-tunnel-v1")
)

// kxRTO is the first retransmission delay of KX_INIT; it doubles up to
// kxMaxRTO and retries go on while the tunnel has a connection.
const (
	kxRTO    = time.Second
	kxMaxRTO = 16 * time.Second
)

func (t *tunnel) newHandshake(initiator bool) (*noise.HandshakeState, error) {
	pub, err := t.e.self.X25519()
	if err != nil {
		return nil, err
	}
	cfg := noise.Config{
		CipherSuite:   noiseSuite,
		Random:        t.e.env.Rand(),
		Pattern:       noise.HandshakeIK,
		Initiator:     initiator,
		Prologue:      noisePrologue,
		StaticKeypair: noise.DHKey{Private: t.e.cfg.Key.X25519(), Public: pub},
	}
	if initiator {
		if cfg.PeerStatic, err = t.peer.X25519(); err != nil {
			return nil, err
		}
	}
	return noise.NewHandshakeState(cfg)
}

// startKX sends KX_INIT as initiator. An established ratchet stays usable
// for receiving until the new one replaces it.
func (t *tunnel) startKX() {
	hs, err := t.newHandshake(true)
	if err != nil {
		t.e.log.Warn("tunnel handshake setup failed", "peer", t.peer.Short(), "err", err)
		return
	}
	payload := (&wire.KXInitPayload{Clock: uint64(t.e.now().UnixNano())}).Append(nil)
	msg, _, _, err := hs.WriteMessage(nil, payload)
	if err != nil {
		t.e.log.Warn("tunnel handshake failed", "peer", t.peer.Short(), "err", err)
		return
	}
	t.hs, t.kxInit, t.kxTries = hs, msg, 0
	t.sendKXInit()
}

// sendKXInit sends KX_INIT on the best ready connection or, while none is
// ready, on one still being created: it follows that connection's CREATE
// along the same links, so the handshake and the path set-up share one
// round trip.
func (t *tunnel) sendKXInit() {
	t.kxSent = t.e.now()
	t.kxOn = t.kxConnection()
	if c := t.kxOn; c != nil {
		c.send((&wire.KXInit{CID: c.cid, Payload: t.kxInit}).Append(nil))
	}
	t.stopKXTimer()
	rto := min(kxRTO<<min(t.kxTries, 5), kxMaxRTO)
	t.kxTries++
	t.kxTimer = t.e.env.After(rto, func() {
		t.kxTimer = nil
		if t.hs != nil {
			t.sendKXInit()
		}
	})
}

func (t *tunnel) kxConnection() *connection {
	if c := t.bestConnection(); c != nil {
		return c
	}
	for _, c := range t.conns {
		if c.state == connCreating {
			return c
		}
	}
	return nil
}

func (t *tunnel) stopKXTimer() {
	if t.kxTimer != nil {
		t.kxTimer.Stop()
		t.kxTimer = nil
	}
}

// receiveKXInit responds to a handshake from the peer. When both ends start a
// handshake at once, the one started by the peer with the smaller ID wins.
// The losing KX_INIT's clock is remembered, so that a late copy of it (a
// retransmission, or one sent on another connection) cannot replace the
// keys of the winning handshake once that has finished.
func (t *tunnel) receiveKXInit(c *connection, msg []byte) {
	hs, err := t.newHandshake(false)
	if err != nil {
		return
	}
	payload, _, _, err := hs.ReadMessage(nil, msg)
	if err != nil || !t.isPeerStatic(hs.PeerStatic()) {
		t.e.debug("drop KX_INIT", "peer", t.peer.Short(), "err", err)
		return
	}
	init, err := wire.ParseKXInitPayload(payload)
	if err != nil {
		return
	}
	if t.hs != nil && bytes.Compare(t.e.self[:], t.peer[:]) < 0 {
		if init.Clock > t.lastInitClock {
			t.lastInitClock, t.kxResponse = init.Clock, nil
		}
		return
	}
	t.acceptKXInit(c, hs, init.Clock)
}

func (t *tunnel) isPeerStatic(key []byte) bool {
	want, err := t.peer.X25519()
	return err == nil && bytes.Equal(key, want)
}

// acceptKXInit responds to a fresh KX_INIT, or repeats the response to a
// retransmitted one. Older ones are replays and get nothing.
func (t *tunnel) acceptKXInit(c *connection, hs *noise.HandshakeState, clock uint64) {
	if clock < t.lastInitClock || (clock == t.lastInitClock && t.kxResponse == nil) {
		return
	}
	if clock == t.lastInitClock {
		c.send((&wire.KXResponse{CID: c.cid, Payload: t.kxResponse}).Append(nil))
		return
	}
	kp, err := ratchet.GenerateKeyPair(t.e.env.Rand())
	if err != nil {
		return
	}
	msg, cs1, cs2, err := hs.WriteMessage(nil, (&wire.KXResponsePayload{RatchetKey: kp.Public}).Append(nil))
	if err != nil {
		return
	}
	shared := splitSecret(cs1, cs2, hs.ChannelBinding())
	t.hs, t.kxInit = nil, nil
	t.stopKXTimer()
	t.lastInitClock, t.kxResponse, t.responder = clock, msg, true
	t.sealKey, t.openKey = headerKeys(cs1, cs2, hs.ChannelBinding(), false)
	t.installKeys(ratchet.NewResponder(shared, kp, t.e.env.Rand(), t.e.cfg.Ratchet), hs.ChannelBinding())
	c.send((&wire.KXResponse{CID: c.cid, Payload: msg}).Append(nil))
}

// receiveKXResponse completes the handshake this tunnel started.
func (t *tunnel) receiveKXResponse(msg []byte) {
	if t.hs == nil {
		return
	}
	payload, cs1, cs2, err := t.hs.ReadMessage(nil, msg)
	if err != nil {
		t.e.debug("drop KX_RESPONSE", "peer", t.peer.Short(), "err", err)
		return
	}
	resp, err := wire.ParseKXResponsePayload(payload)
	if err != nil {
		return
	}
	shared := splitSecret(cs1, cs2, t.hs.ChannelBinding())
	rat, err := ratchet.NewInitiator(shared, resp.RatchetKey, t.e.env.Rand(), t.e.now(), t.e.cfg.Ratchet)
	if err != nil {
		t.e.debug("drop KX_RESPONSE", "peer", t.peer.Short(), "err", err)
		return
	}
	binding := t.hs.ChannelBinding()
	if t.kxTries == 1 {
		t.rtt.sample(t.e.now().Sub(t.kxSent))
	}
	t.sealKey, t.openKey = headerKeys(cs1, cs2, binding, true)
	t.hs, t.kxInit, t.responder = nil, nil, false
	t.stopKXTimer()
	t.installKeys(rat, binding)
	if len(t.queue) == 0 {
		t.sendTunnel((&wire.TunnelKeepalive{}).Append(nil))
	}
	t.flush()
}

// splitSecret derives the ratchet's starting secret from both transport
// keys of the finished handshake. The handshake hash alone is not secret,
// since an observer of the handshake can compute it.
func splitSecret(cs1, cs2 *noise.CipherState, binding []byte) [ratchet.KeySize]byte {
	k1, k2 := cs1.UnsafeKey(), cs2.UnsafeKey()
	r := hkdf.New(sha256.New, append(k1[:], k2[:]...), binding, []byte("hush-cadet-ratchet-init"))
	var out [ratchet.KeySize]byte
	if _, err := io.ReadFull(r, out[:]); err != nil {
		panic(fmt.Sprintf("cadet: hkdf: %v", err))
	}
	return out
}
