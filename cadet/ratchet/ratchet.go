// Package ratchet is the double ratchet that encrypts CADET tunnel traffic
// after the Noise handshake. It takes a symmetric chain step per message
// and a DH ratchet step after a new peer key arrives. A bounded store
// of keys for skipped messages lets messages arrive out of order or not at
// all. Message keys are deleted once used, and chain and root keys are
// overwritten at every step.
//
// It follows "The Double Ratchet Algorithm" (Signal, revision 1,
// 2016-11-20) without that document's header encryption variant. The
// CADET tunnel seals headers itself before they reach relays.
//
// One change: the sending half of a DH step is deferred. A receiving
// chain for a new peer key is derived at once, because the message needs
// it. The new sending chain starts only when the current one has carried
// half of StepMessages, is half of StepInterval old, or the peer requests
// a step. Signal's version steps on every change of direction, so a bulk
// transfer with acknowledgements flowing back pays two X25519 operations
// per side per round trip: about a sixth of CADET's CPU time in a
// measured bulk transfer. The deferred step keeps this package's
// guarantees. A new DH step comes at least every StepMessages messages or
// StepInterval, and no side steps twice before it has seen the peer's next
// key, so the root chains of both sides stay in step.
//
// A State is not safe for concurrent use. The tunnel that owns it runs on
// the peer's loop.
package ratchet

import (
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// Config bounds the ratchet. Zero fields take the defaults.
type Config struct {
	// StepMessages is the most messages one sending chain carries. From
	// a quarter of it on, each header requests a DH step, so that the
	// peer's new key usually arrives before the limit. At the limit Encrypt fails
	// with ErrStepPending until the new key arrives. Default 64.
	StepMessages uint32
	// StepInterval is the oldest a sending chain may get, with requests
	// from half of it on and ErrStepPending at the limit. Default one hour.
	StepInterval time.Duration
	// MaxSkip bounds how far ahead of the expected message number a message
	// may be. Default 256.
	MaxSkip uint32
	// MaxStoredKeys bounds the skipped-message keys kept; the oldest go
	// first. Default 512.
	MaxStoredKeys int
}

func (c Config) withDefaults() Config {
	if c.StepMessages == 0 {
		c.StepMessages = 64
	}
	if c.StepInterval == 0 {
		c.StepInterval = time.Hour
	}
	if c.MaxSkip == 0 {
		c.MaxSkip = 256
	}
	if c.MaxStoredKeys == 0 {
		c.MaxStoredKeys = 512
	}
	return c
}

// Errors from Encrypt and Decrypt.
var (
	ErrNotReady    = errors.New("cadet/ratchet: no sending chain until the peer's first message arrives")
	ErrStepPending = errors.New("cadet/ratchet: sending chain exhausted, waiting for the peer's next ratchet key")
	ErrDecrypt     = errors.New("cadet/ratchet: message authentication failed")
	ErrTooFarAhead = errors.New("cadet/ratchet: message number too far ahead")
)

type skippedID struct {
	dh [KeySize]byte
	n  uint32
}

// chains is the part of the state that one Decrypt may change; Decrypt
// works on a copy and commits it only when the message authenticates.
type chains struct {
	root        [KeySize]byte
	self        KeyPair
	peer        [KeySize]byte
	send, recv  [KeySize]byte
	hasSend     bool
	hasRecv     bool
	ns, nr, pn  uint32
	sendStarted time.Time
	// stepDue is set when a new peer key arrived after this side's last
	// sending step: the next sending step may use it.
	stepDue bool
}

// State is one end of a double ratchet.
type State struct {
	cfg  Config
	rand io.Reader
	chains
	skipped      map[skippedID][KeySize]byte
	skippedOrder []skippedID // insertion order, for eviction
	steps        uint64
	peerWants    bool
}

// NewInitiator starts the ratchet of the side that holds the peer's first
// ratchet key, so it can send at once. shared is the secret both sides took
// from the handshake.
func NewInitiator(shared [KeySize]byte, peerKey [KeySize]byte, rand io.Reader, now time.Time, cfg Config) (*State, error) {
	s := &State{cfg: cfg.withDefaults(), rand: rand, skipped: map[skippedID][KeySize]byte{}}
	s.root, s.peer = shared, peerKey
	if err := s.stepSend(&s.chains, now); err != nil {
		return nil, err
	}
	return s, nil
}

// NewResponder starts the ratchet of the side whose key pair self the
// initiator starts from. It cannot send until the first message arrives.
func NewResponder(shared [KeySize]byte, self KeyPair, rand io.Reader, cfg Config) *State {
	s := &State{cfg: cfg.withDefaults(), rand: rand, skipped: map[skippedID][KeySize]byte{}}
	s.root, s.self = shared, self
	return s
}

// CanSend reports whether Encrypt at time now would succeed: a sending
// step is due, or the sending chain has not reached StepMessages or
// StepInterval.
func (s *State) CanSend(now time.Time) bool {
	return s.stepDue || s.chainUsable(now)
}

func (s *State) chainUsable(now time.Time) bool {
	return s.hasSend && s.ns < s.cfg.StepMessages && now.Sub(s.sendStarted) < s.cfg.StepInterval
}

// ChainOld reports whether the sending chain is old enough that messages
// request a DH step from the peer, or there is no sending chain yet.
func (s *State) ChainOld(now time.Time) bool { return !s.hasSend || s.chainOld(now) }

// chainOld reports whether the sending chain has carried half of
// StepMessages or lived half of StepInterval: from then on, headers ask
// the peer for a step, and a due step is taken.
func (s *State) chainOld(now time.Time) bool {
	return s.ns >= s.cfg.StepMessages/2 || now.Sub(s.sendStarted) >= s.cfg.StepInterval/2
}

// Received reports whether any message was decrypted since the start.
func (s *State) Received() bool { return s.hasRecv }

// Steps returns how many DH steps this side took, initial one included.
func (s *State) Steps() uint64 { return s.steps }

// SendChainLength returns the messages sent on the current sending chain.
func (s *State) SendChainLength() uint32 { return s.ns }

// StoredKeys returns how many skipped-message keys are stored.
func (s *State) StoredKeys() int { return len(s.skipped) }

// PeerWantsStep reports whether a message decrypted since the last Encrypt
// asked for a DH step. The owner should then send a message soon.
func (s *State) PeerWantsStep() bool { return s.peerWants }

// stepSend draws a new key pair and starts a sending chain from it.
func (s *State) stepSend(c *chains, now time.Time) error {
	kp, err := GenerateKeyPair(s.rand)
	if err != nil {
		return err
	}
	out, err := dh(kp, c.peer)
	if err != nil {
		return err
	}
	c.self = kp
	c.root, c.send = kdfRoot(c.root, out)
	c.hasSend, c.pn, c.ns, c.sendStarted = true, c.ns, 0, now
	c.stepDue = false
	s.steps++
	return nil
}

// Encrypt seals plaintext with the next message key. ad is authenticated
// along with the header but not sent.
func (s *State) Encrypt(plaintext, ad []byte, now time.Time) ([]byte, error) {
	return s.AppendEncrypt(nil, plaintext, ad, now)
}

// AppendEncrypt is Encrypt appending the message to dst, so that a caller
// can put its own header in front without another copy.
func (s *State) AppendEncrypt(dst, plaintext, ad []byte, now time.Time) ([]byte, error) {
	if !s.hasSend && !s.stepDue {
		return nil, ErrNotReady
	}
	if s.stepDue && (!s.chainUsable(now) || s.chainOld(now) || s.peerWants) {
		if err := s.stepSend(&s.chains, now); err != nil {
			return nil, err
		}
	}
	if !s.chainUsable(now) {
		return nil, ErrStepPending
	}
	h := Header{DH: s.self.Public, PN: s.pn, N: s.ns}
	if s.ns >= s.cfg.StepMessages/4 || s.chainOld(now) {
		// Requests start at a quarter of the chain, so that the peer's
		// new key has three quarters of it to arrive before the limit.
		h.Flags |= flagStepRequest
	}
	var mk [KeySize]byte
	s.send, mk = kdfChain(s.send)
	s.ns++
	s.peerWants = false
	if need := HeaderSize + len(plaintext) + chacha20poly1305.Overhead; cap(dst)-len(dst) < need {
		dst = append(make([]byte, 0, len(dst)+need), dst...)
	}
	start := len(dst)
	out := h.Append(dst)
	return seal(mk, out, start, plaintext, ad), nil
}

// seal appends the ciphertext to out, whose bytes from start on are the
// header, authenticating ad and the header. Each message key seals one
// message, so the nonce can be zero.
func seal(mk [KeySize]byte, out []byte, start int, plaintext, ad []byte) []byte {
	aead, _ := chacha20poly1305.New(mk[:])
	var nonce [chacha20poly1305.NonceSize]byte
	return aead.Seal(out, nonce[:], plaintext, append(append([]byte(nil), ad...), out[start:]...))
}

// open decrypts msg in place and returns the plaintext, which aliases
// msg. A failed open may overwrite msg.
func open(mk [KeySize]byte, msg, ad []byte) ([]byte, error) {
	aead, _ := chacha20poly1305.New(mk[:])
	var nonce [chacha20poly1305.NonceSize]byte
	header := msg[:HeaderSize]
	body := msg[HeaderSize:]
	out, err := aead.Open(body[:0], nonce[:], body, append(append([]byte(nil), ad...), header...))
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

// Decrypt authenticates and decrypts msg. A message that fails leaves the
// state as it was. msg is not changed.
func (s *State) Decrypt(msg, ad []byte, now time.Time) ([]byte, error) {
	return s.DecryptInPlace(append([]byte(nil), msg...), ad, now)
}

// DecryptInPlace is Decrypt using msg's storage for the plaintext, which
// aliases msg. msg may be overwritten even when decryption fails.
func (s *State) DecryptInPlace(msg, ad []byte, now time.Time) ([]byte, error) {
	h, err := ParseHeader(msg)
	if err != nil {
		return nil, err
	}
	if mk, ok := s.skipped[skippedID{h.DH, h.N}]; ok {
		out, err := open(mk, msg, ad)
		if err == nil {
			s.dropSkipped(skippedID{h.DH, h.N})
			s.noteFlags(h)
		}
		return out, err
	}
	return s.decryptCurrent(h, msg, ad, now)
}

// decryptCurrent handles a message on the current receiving chain or on a
// new one, working on a copy of the chains.
func (s *State) decryptCurrent(h *Header, msg, ad []byte, now time.Time) ([]byte, error) {
	c := s.chains
	var pending []skippedKey
	if !c.hasRecv || h.DH != c.peer {
		var err error
		if pending, err = s.skipTo(&c, h.PN, pending); err != nil {
			return nil, err
		}
		if err = s.stepRecv(&c, h.DH); err != nil {
			return nil, err
		}
	}
	pending, err := s.skipTo(&c, h.N, pending)
	if err != nil {
		return nil, err
	}
	var mk [KeySize]byte
	c.recv, mk = kdfChain(c.recv)
	c.nr++
	out, err := open(mk, msg, ad)
	if err != nil {
		return nil, err
	}
	s.commit(c, pending)
	s.noteFlags(h)
	return out, nil
}

func (s *State) noteFlags(h *Header) {
	if h.Flags&flagStepRequest != 0 {
		s.peerWants = true
	}
}

func (s *State) commit(c chains, pending []skippedKey) {
	s.chains = c
	for _, k := range pending {
		s.storeSkipped(k.id, k.mk)
	}
}

// stepRecv takes the receiving half of a DH ratchet step for a new peer
// key: a receiving chain from the current key pair. The sending half waits
// for Encrypt (see the package comment).
func (s *State) stepRecv(c *chains, peer [KeySize]byte) error {
	out, err := dh(c.self, peer)
	if err != nil {
		return err
	}
	c.peer = peer
	c.root, c.recv = kdfRoot(c.root, out)
	c.hasRecv, c.nr = true, 0
	c.stepDue = true
	return nil
}

type skippedKey struct {
	id skippedID
	mk [KeySize]byte
}

// skipTo derives and collects the keys of receiving-chain messages below
// until, so that they can still be decrypted when they arrive.
func (s *State) skipTo(c *chains, until uint32, pending []skippedKey) ([]skippedKey, error) {
	if !c.hasRecv || until <= c.nr {
		return pending, nil
	}
	if until-c.nr > s.cfg.MaxSkip {
		return nil, fmt.Errorf("%w: message %d, expected at most %d ahead of %d", ErrTooFarAhead, until, s.cfg.MaxSkip, c.nr)
	}
	for c.nr < until {
		var mk [KeySize]byte
		c.recv, mk = kdfChain(c.recv)
		pending = append(pending, skippedKey{skippedID{c.peer, c.nr}, mk})
		c.nr++
	}
	return pending, nil
}

func (s *State) storeSkipped(id skippedID, mk [KeySize]byte) {
	s.skipped[id] = mk
	s.skippedOrder = append(s.skippedOrder, id)
	for len(s.skipped) > s.cfg.MaxStoredKeys {
		oldest := s.skippedOrder[0]
		s.skippedOrder = s.skippedOrder[1:]
		delete(s.skipped, oldest)
	}
	if len(s.skippedOrder) > 2*s.cfg.MaxStoredKeys {
		s.compactOrder()
	}
}

// dropSkipped deletes a used key. Its entry in skippedOrder stays until
// compaction and is skipped on eviction because the map lacks it.
func (s *State) dropSkipped(id skippedID) { delete(s.skipped, id) }

func (s *State) compactOrder() {
	kept := s.skippedOrder[:0]
	for _, id := range s.skippedOrder {
		if _, ok := s.skipped[id]; ok {
			kept = append(kept, id)
		}
	}
	s.skippedOrder = kept
}
