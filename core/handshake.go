package core

import (
	"fmt"
	"io"
	"time"

	"github.com/flynn/noise"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// prologue names the protocol and its version. Noise mixes it into the
// handshake hash, so peers that speak another version fail to decrypt the
// first message instead of misreading it.
var prologue = []byte("hush-core/1")

// handshake is one Noise IK exchange in progress.
type handshake struct {
	state *noise.HandshakeState
	dh    *dhSession
}

// session is the result of a completed handshake: the authenticated peer's
// HELLO and the two directions' ciphers, used with explicit nonces.
type session struct {
	hello     *hello.Hello
	send      noise.Cipher
	recv      noise.Cipher
	initiator bool
}

func (k *keyring) newHandshake(random io.Reader, initiator bool, remoteStatic []byte) (*handshake, error) {
	dh := &dhSession{keys: k}
	state, err := noise.NewHandshakeState(noise.Config{
		CipherSuite:   noise.NewCipherSuite(dh, noise.CipherChaChaPoly, noise.HashBLAKE2b),
		Random:        random,
		Pattern:       noise.HandshakeIK,
		Initiator:     initiator,
		Prologue:      prologue,
		StaticKeypair: k.staticKey,
		PeerStatic:    remoteStatic,
	})
	if err != nil {
		return nil, fmt.Errorf("core: start handshake: %w", err)
	}
	return &handshake{state: state, dh: dh}, nil
}

// initiate starts a handshake with remote and returns the first message,
// which carries now and our encoded HELLO.
func (k *keyring) initiate(random io.Reader, remote identity.PeerID, now time.Time, ownHello []byte) (*handshake, []byte, error) {
	static, err := k.peerStatic(remote)
	if err != nil {
		return nil, nil, err
	}
	hs, err := k.newHandshake(random, true, static[:])
	if err != nil {
		return nil, nil, err
	}
	payload := initPayload{Sent: now, Hello: ownHello}.Append(nil)
	msg, _, _, err := hs.state.WriteMessage(nil, payload)
	if err != nil {
		return nil, nil, fmt.Errorf("core: write first handshake message: %w", err)
	}
	return hs, msg, nil
}

// finish reads the responder's second message and checks that its HELLO
// belongs to the peer we dialled.
func (hs *handshake) finish(k *keyring, hellos *helloCache, remote identity.PeerID, msg []byte, now time.Time) (*session, error) {
	payload, toResponder, toInitiator, err := hs.state.ReadMessage(nil, msg)
	if err != nil {
		return nil, fmt.Errorf("core: read second handshake message: %w", err)
	}
	if toResponder == nil {
		return nil, fmt.Errorf("core: second handshake message did not complete the handshake")
	}
	h, err := hellos.parse(payload)
	if err != nil {
		return nil, err
	}
	if h.Peer != remote {
		return nil, fmt.Errorf("core: responder sent the HELLO of %s, expected %s", h.Peer.Short(), remote.Short())
	}
	if h.Expired(now) {
		return nil, fmt.Errorf("core: responder %s sent an expired HELLO", remote.Short())
	}
	k.remember(hs.dh, hs.state.PeerStatic())
	return &session{hello: h, send: toResponder.Cipher(), recv: toInitiator.Cipher(), initiator: true}, nil
}

// firstMessage is a decrypted, checked first handshake message that waits
// for CORE to admit the link.
type firstMessage struct {
	hs        *handshake
	hello     *hello.Hello
	ephemeral [keySize]byte
}

// readFirst decrypts and parses a first handshake message. On failure it
// returns only the probe class for the silent drop, so no failure can be
// handled differently from another.
func (k *keyring) readFirst(random io.Reader, msg []byte) (*firstMessage, initPayload, probeClass) {
	hs, err := k.newHandshake(random, false, nil)
	if err != nil {
		return nil, initPayload{}, probeUndecryptable
	}
	plain, _, _, err := hs.state.ReadMessage(nil, msg)
	if err != nil {
		return nil, initPayload{}, probeUndecryptable
	}
	p, err := parseInitPayload(plain)
	if err != nil {
		return nil, initPayload{}, probeMalformed
	}
	first := &firstMessage{hs: hs, ephemeral: [keySize]byte(hs.state.PeerEphemeral())}
	return first, p, probeNone
}

// checkIdentity verifies the initiator's HELLO and checks that the
// initiator's Noise static key is the X25519 form of the peer ID the HELLO
// claims, and that the HELLO is current. It runs after the cheaper timestamp
// and replay checks because it verifies a signature.
func (k *keyring) checkIdentity(first *firstMessage, encoded []byte, hellos *helloCache, self identity.PeerID, now time.Time) probeClass {
	h, err := hellos.parse(encoded)
	if err != nil {
		return probeBadHello
	}
	first.hello = h
	claimed, err := k.peerStatic(first.hello.Peer)
	if err != nil || string(claimed[:]) != string(first.hs.state.PeerStatic()) {
		return probeBadHello
	}
	if first.hello.Peer == self || first.hello.Expired(now) {
		return probeBadHello
	}
	return probeNone
}

// respond writes the second handshake message, which carries our HELLO, and
// completes the responder's side.
func (k *keyring) respond(first *firstMessage, ownHello []byte) (*session, []byte, error) {
	msg, toResponder, toInitiator, err := first.hs.state.WriteMessage(nil, ownHello)
	if err != nil {
		return nil, nil, fmt.Errorf("core: write second handshake message: %w", err)
	}
	k.remember(first.hs.dh, first.hs.state.PeerStatic())
	s := &session{hello: first.hello, send: toInitiator.Cipher(), recv: toResponder.Cipher()}
	return s, msg, nil
}
