package ratchet

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// This file drives two States through random exchanges. Messages are
// sent from both sides, delivered in any order, lost, replayed and
// tampered with, and time jumps. The checks are the ones the deferred DH
// step must keep:
//   - every message that arrives once decrypts to what was sent, so the
//     two root chains never diverge;
//   - nothing decrypts twice or after tampering;
//   - CanSend always predicts Encrypt;
//   - a sending chain never carries more than StepMessages messages;
//   - without loss, some side can always send.

// exchange is one random run between an initiator and a responder.
type exchange struct {
	t      testing.TB
	cfg    Config
	side   [2]*State
	now    time.Time
	flight []*sentMessage // sent, not yet delivered or lost
	done   []*sentMessage // delivered once
	lost   int
	sent   int
}

type sentMessage struct {
	from int
	text string
	msg  []byte
}

func newExchange(t testing.TB, cfg Config, seed byte) *exchange {
	shared := [KeySize]byte{seed, 1}
	rb := seeded(uint64(seed) + 100)
	kp, err := GenerateKeyPair(rb)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewInitiator(shared, kp.Public, seeded(uint64(seed)+200), t0, cfg)
	if err != nil {
		t.Fatal(err)
	}
	x := &exchange{t: t, cfg: cfg.withDefaults(), side: [2]*State{a, NewResponder(shared, kp, rb, cfg)}, now: t0}
	// The tunnel sends a first message as soon as the handshake ends, so
	// the responder can send from then on.
	x.send(0, false)
	x.drain()
	return x
}

var exchangeAD = []byte("binding")

// send encrypts one message on side i, half of the time behind a prefix
// in a buffer with spare capacity, and checks CanSend against the result.
func (x *exchange) send(i int, withPrefix bool) bool {
	s := x.side[i]
	can := s.CanSend(x.now)
	text := fmt.Sprintf("side %d message %d", i, x.sent)
	msg, err := x.encrypt(s, text, withPrefix)
	if can != (err == nil) {
		x.t.Fatalf("side %d: CanSend %v but Encrypt returned %v", i, can, err)
	}
	if err != nil {
		if !errors.Is(err, ErrStepPending) && !errors.Is(err, ErrNotReady) {
			x.t.Fatalf("side %d: Encrypt: %v", i, err)
		}
		return false
	}
	if s.SendChainLength() > x.cfg.StepMessages {
		x.t.Fatalf("side %d sent %d messages on one chain, limit %d", i, s.SendChainLength(), x.cfg.StepMessages)
	}
	x.sent++
	x.flight = append(x.flight, &sentMessage{from: i, text: text, msg: msg})
	return true
}

func (x *exchange) encrypt(s *State, text string, withPrefix bool) ([]byte, error) {
	if !withPrefix {
		return s.Encrypt([]byte(text), exchangeAD, x.now)
	}
	prefix := []byte{0xa1, 0xa2, 0xa3}
	buf := make([]byte, len(prefix), 4096)
	copy(buf, prefix)
	out, err := s.AppendEncrypt(buf, []byte(text), exchangeAD, x.now)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(out[:len(prefix)], prefix) {
		x.t.Fatalf("AppendEncrypt changed the prefix to %x", out[:len(prefix)])
	}
	return append([]byte(nil), out[len(prefix):]...), nil
}

// deliver hands message k of the flight to its receiver, which must
// decrypt it.
func (x *exchange) deliver(k int, inPlace bool) {
	m := x.flight[k]
	x.flight = append(x.flight[:k], x.flight[k+1:]...)
	var got []byte
	var err error
	if inPlace {
		got, err = x.side[1-m.from].DecryptInPlace(append([]byte(nil), m.msg...), exchangeAD, x.now)
	} else {
		got, err = x.side[1-m.from].Decrypt(m.msg, exchangeAD, x.now)
	}
	if err != nil {
		x.t.Fatalf("side %d could not decrypt %q (%d lost so far): %v", 1-m.from, m.text, x.lost, err)
	}
	if string(got) != m.text {
		x.t.Fatalf("side %d decrypted %q, want %q", 1-m.from, got, m.text)
	}
	x.done = append(x.done, m)
}

// replay delivers an already delivered message again; it must fail.
func (x *exchange) replay(k int) {
	m := x.done[k]
	if got, err := x.side[1-m.from].Decrypt(m.msg, exchangeAD, x.now); err == nil {
		x.t.Fatalf("side %d decrypted %q a second time as %q", 1-m.from, m.text, got)
	}
}

// tamper delivers a copy of message k with one byte changed; it must fail
// and leave the message deliverable.
func (x *exchange) tamper(k int, pos int) {
	m := x.flight[k]
	bad := append([]byte(nil), m.msg...)
	bad[pos%len(bad)] ^= 0x20
	if got, err := x.side[1-m.from].DecryptInPlace(bad, exchangeAD, x.now); err == nil {
		x.t.Fatalf("side %d accepted a tampered %q as %q", 1-m.from, m.text, got)
	}
}

// run interprets ops as a sequence of actions.
func (x *exchange) run(ops []byte, lossy bool) {
	for i := 0; i+1 < len(ops); i += 2 {
		op, arg := ops[i], int(ops[i+1])
		switch op % 8 {
		case 0, 1:
			x.send(int(op%2), arg%2 == 1)
		case 2, 3:
			if len(x.flight) > 0 {
				x.deliver(arg%len(x.flight), op%2 == 1)
			}
		case 4:
			if lossy && len(x.flight) > 0 {
				k := arg % len(x.flight)
				x.flight = append(x.flight[:k], x.flight[k+1:]...)
				x.lost++
			}
		case 5:
			if len(x.done) > 0 {
				x.replay(arg % len(x.done))
			}
		case 6:
			if len(x.flight) > 0 {
				x.tamper(arg%len(x.flight), int(op)+arg)
			}
		case 7:
			x.now = x.now.Add(time.Duration(arg) * x.cfg.StepInterval / 64)
		}
	}
}

// drain delivers everything still in flight, oldest first.
func (x *exchange) drain() {
	for len(x.flight) > 0 {
		x.deliver(0, false)
	}
}

// converse alternates messages, each delivered at once, and fails if
// neither side can send. Without loss one side always holds a step it
// can take or a usable chain.
func (x *exchange) converse(rounds int) {
	for r := range rounds {
		i := r % 2
		if !x.send(i, false) && !x.send(1-i, false) {
			x.t.Fatalf("round %d: neither side can send (steps %d and %d, chains %d and %d)",
				r, x.side[0].Steps(), x.side[1].Steps(), x.side[0].SendChainLength(), x.side[1].SendChainLength())
		}
		x.drain()
	}
}

func exchangeConfig(b byte) Config {
	steps := []uint32{2, 3, 4, 8, 64}
	return Config{
		StepMessages:  steps[int(b)%len(steps)],
		StepInterval:  time.Hour,
		MaxSkip:       64,
		MaxStoredKeys: 1 << 20,
	}
}

// checkExchange runs one fuzz input: the first byte picks the
// configuration and whether messages may be lost, the rest are actions.
func checkExchange(t testing.TB, data []byte) {
	if len(data) == 0 {
		return
	}
	lossy := data[0]&0x80 != 0
	x := newExchange(t, exchangeConfig(data[0]), data[0])
	x.run(data[1:], lossy)
	x.drain()
	if x.lost > 0 {
		return
	}
	x.converse(int(3 * x.cfg.StepMessages))
	x.now = x.now.Add(2 * x.cfg.StepInterval)
	x.converse(int(3 * x.cfg.StepMessages))
}

func FuzzRatchetExchange(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 0, 1, 0, 2, 0})
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 1, 0, 2, 0, 0, 0, 2, 1, 2, 0, 5, 0})
	f.Add([]byte{0x82, 0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 1, 0, 2, 0, 0, 0, 2, 0})
	f.Add([]byte{1, 0, 0, 7, 40, 0, 0, 2, 0, 1, 0, 7, 40, 1, 0, 2, 0, 6, 9, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		checkExchange(t, data)
	})
}

// TestRatchetRandomExchanges runs many pseudo-random inputs through the
// checks of FuzzRatchetExchange, biased towards long runs with
// reordering, so that plain go test covers chain boundaries under loss.
func TestRatchetRandomExchanges(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 77))
		data := make([]byte, 1+2*rng.IntN(400))
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkExchange(t, data) })
	}
}

// TestRatchetSimultaneousBursts lets both sides send until their chains
// are used up before either hears from the other, several times, and
// delivers each burst in reverse. Each side then receives the other's
// newest chain first and its older ones after.
func TestRatchetSimultaneousBursts(t *testing.T) {
	x := newExchange(t, Config{StepMessages: 8, MaxSkip: 64, MaxStoredKeys: 1 << 20}, 3)
	for range 20 {
		for x.send(0, false) {
		}
		for x.send(1, true) {
		}
		for len(x.flight) > 0 {
			x.deliver(len(x.flight)-1, true)
		}
	}
	x.converse(50)
}

// TestRatchetSendChainLimit checks the guarantee of the package comment.
// In a one-way stream where the receiver replies only to step requests,
// no chain exceeds StepMessages and the sender steps once per chain.
func TestRatchetSendChainLimit(t *testing.T) {
	x := newExchange(t, Config{StepMessages: 16}, 5)
	for range 1000 {
		if !x.send(0, false) {
			t.Fatalf("sender blocked after %d messages and %d steps", x.sent, x.side[0].Steps())
		}
		x.drain()
		if x.side[1].PeerWantsStep() {
			x.send(1, false)
			x.drain()
		}
	}
	if steps := x.side[0].Steps(); steps < 1000/16 {
		t.Fatalf("sender took %d DH steps in 1000 messages with chains of 16", steps)
	}
}

// TestRatchetDecryptInPlaceFailure checks that a failed DecryptInPlace
// leaves the state able to decrypt the genuine message, and that Decrypt
// leaves its input unchanged.
func TestRatchetDecryptInPlaceFailure(t *testing.T) {
	a, b := pair(t, Config{})
	msg := mustEncrypt(t, a, "genuine")
	orig := append([]byte(nil), msg...)
	bad := append([]byte(nil), msg...)
	bad[len(bad)-1] ^= 1
	if _, err := b.DecryptInPlace(bad, []byte("ad"), t0); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered message: err %v, want ErrDecrypt", err)
	}
	mustDecrypt(t, b, msg, "genuine")
	if !bytes.Equal(msg, orig) {
		t.Fatal("Decrypt changed its input")
	}
}
