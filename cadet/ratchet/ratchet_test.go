package ratchet

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func seeded(seed uint64) *rand.ChaCha8 {
	var k [32]byte
	k[0] = byte(seed)
	return rand.NewChaCha8(k)
}

// pair returns an initiator and a responder started from the same secret.
func pair(t testing.TB, cfg Config) (*State, *State) {
	t.Helper()
	shared := [KeySize]byte{42}
	rb := seeded(2)
	kp, err := GenerateKeyPair(rb)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewInitiator(shared, kp.Public, seeded(1), t0, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, NewResponder(shared, kp, rb, cfg)
}

func mustEncrypt(t testing.TB, s *State, text string) []byte {
	t.Helper()
	msg, err := s.Encrypt([]byte(text), []byte("ad"), t0)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func mustDecrypt(t testing.TB, s *State, msg []byte, want string) {
	t.Helper()
	got, err := s.Decrypt(msg, []byte("ad"), t0)
	if err != nil {
		t.Fatalf("decrypt %q: %v", want, err)
	}
	if string(got) != want {
		t.Fatalf("decrypted %q, want %q", got, want)
	}
}

func TestRatchetRoundTrip(t *testing.T) {
	a, b := pair(t, Config{})
	if b.CanSend(t0) {
		t.Fatal("responder can send before the first message")
	}
	mustDecrypt(t, b, mustEncrypt(t, a, "hello"), "hello")
	mustDecrypt(t, a, mustEncrypt(t, b, "reply"), "reply")
	mustDecrypt(t, b, mustEncrypt(t, a, "again"), "again")
}

func TestRatchetOutOfOrder(t *testing.T) {
	a, b := pair(t, Config{})
	var msgs [][]byte
	for i := range 10 {
		msgs = append(msgs, mustEncrypt(t, a, fmt.Sprint(i)))
	}
	mustDecrypt(t, b, msgs[0], "0")
	mustDecrypt(t, a, mustEncrypt(t, b, "step"), "step")
	later := mustEncrypt(t, a, "new chain")
	mustDecrypt(t, b, later, "new chain")
	for _, i := range []int{9, 3, 5, 1, 2, 8, 7, 6, 4} {
		mustDecrypt(t, b, msgs[i], fmt.Sprint(i))
	}
	if n := b.StoredKeys(); n != 0 {
		t.Fatalf("%d skipped keys left after every message arrived", n)
	}
}

func TestRatchetOldKeysGone(t *testing.T) {
	a, b := pair(t, Config{})
	m0 := mustEncrypt(t, a, "zero")
	m1 := mustEncrypt(t, a, "one")
	mustDecrypt(t, b, m1, "one")
	mustDecrypt(t, b, m0, "zero")
	for _, m := range [][]byte{m0, m1} {
		if _, err := b.Decrypt(m, []byte("ad"), t0); err == nil {
			t.Fatal("a message decrypted twice: its key was kept")
		}
	}
}

func TestRatchetSkippedKeysBounded(t *testing.T) {
	a, b := pair(t, Config{MaxSkip: 50, MaxStoredKeys: 60, StepMessages: 1 << 20})
	for range 200 {
		for range 30 {
			mustEncrypt(t, a, "lost")
		}
		mustDecrypt(t, b, mustEncrypt(t, a, "kept"), "kept")
		if n := b.StoredKeys(); n > 60 {
			t.Fatalf("%d skipped keys stored, bound is 60", n)
		}
	}
	for range 51 {
		mustEncrypt(t, a, "lost")
	}
	if _, err := b.Decrypt(mustEncrypt(t, a, "far"), []byte("ad"), t0); !errors.Is(err, ErrTooFarAhead) {
		t.Fatalf("message 52 ahead: err %v, want ErrTooFarAhead", err)
	}
}

func TestRatchetTamperedKeepsState(t *testing.T) {
	a, b := pair(t, Config{})
	msg := mustEncrypt(t, a, "payload")
	bad := bytes.Clone(msg)
	bad[len(bad)-1] ^= 1
	if _, err := b.Decrypt(bad, []byte("ad"), t0); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("tampered message: err %v, want ErrDecrypt", err)
	}
	if _, err := b.Decrypt(msg, []byte("other ad"), t0); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("wrong associated data: err %v, want ErrDecrypt", err)
	}
	mustDecrypt(t, b, msg, "payload")
}

// TestRatchetStepFrequency sends one way only; the receiver answers every
// step request with one message, as the tunnel does. No sending chain may
// carry more than StepMessages messages.
func TestRatchetStepFrequency(t *testing.T) {
	a, b := pair(t, Config{})
	longest := uint32(0)
	for range 2000 {
		mustDecrypt(t, b, mustEncrypt(t, a, "x"), "x")
		longest = max(longest, a.SendChainLength())
		if b.PeerWantsStep() {
			mustDecrypt(t, a, mustEncrypt(t, b, "key"), "key")
		}
	}
	if longest > 64 {
		t.Fatalf("a sending chain carried %d messages, limit 64", longest)
	}
	if a.Steps() < 2000/64 {
		t.Fatalf("%d DH steps in 2000 messages, expected at least %d", a.Steps(), 2000/64)
	}
}

// TestRatchetDeferredStepWithAcks runs a bulk transfer whose receiver
// replies to every second message, as CADET's acknowledgements do. Under
// Signal's rule each reply would carry a new peer key. The deferred
// sending step keeps DH steps near one per half chain instead of one per
// reply, and never lets a chain reach its limit.
func TestRatchetDeferredStepWithAcks(t *testing.T) {
	a, b := pair(t, Config{})
	const messages = 2048
	for i := range messages {
		mustDecrypt(t, b, mustEncrypt(t, a, "data"), "data")
		if i%2 == 1 || b.PeerWantsStep() {
			mustDecrypt(t, a, mustEncrypt(t, b, "ack"), "ack")
		}
	}
	if lo, hi := uint64(messages/64), uint64(messages/32+2); a.Steps() < lo || a.Steps() > hi {
		t.Fatalf("sender took %d DH steps in %d messages, want %d to %d", a.Steps(), messages, lo, hi)
	}
	if b.Steps() > uint64(messages/32+2) {
		t.Fatalf("acknowledging side took %d DH steps, want at most %d", b.Steps(), messages/32+2)
	}
}

// TestRatchetDeferredStepReordered delivers the first message of a new
// sending chain before the end of the old one. The old chain's keys are
// kept as skipped keys, so both arrive.
func TestRatchetDeferredStepReordered(t *testing.T) {
	a, b := pair(t, Config{StepMessages: 8})
	mustDecrypt(t, b, mustEncrypt(t, a, "hello"), "hello")
	mustDecrypt(t, a, mustEncrypt(t, b, "ack"), "ack")
	var old [][]byte
	for range 4 {
		old = append(old, mustEncrypt(t, a, "old"))
	}
	fresh := mustEncrypt(t, a, "new chain")
	if a.Steps() != 2 {
		t.Fatalf("sender took %d steps, want 2 (start and one deferred step)", a.Steps())
	}
	mustDecrypt(t, b, fresh, "new chain")
	for _, m := range old {
		mustDecrypt(t, b, m, "old")
	}
}

func TestRatchetStepByTime(t *testing.T) {
	a, b := pair(t, Config{})
	msg, err := a.Encrypt([]byte("late"), nil, t0.Add(31*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Decrypt(msg, nil, t0); err != nil {
		t.Fatal(err)
	}
	if !b.PeerWantsStep() {
		t.Fatal("a chain older than half an hour did not request a step")
	}
}

func TestRatchetHardLimit(t *testing.T) {
	a, _ := pair(t, Config{StepMessages: 5})
	for range 5 {
		mustEncrypt(t, a, "x")
	}
	if _, err := a.Encrypt(nil, nil, t0); !errors.Is(err, ErrStepPending) {
		t.Fatalf("message 6 on a chain of 5: err %v, want ErrStepPending", err)
	}
}

func FuzzHeader(f *testing.F) {
	f.Add((&Header{DH: [KeySize]byte{1}, PN: 3, N: 9, Flags: flagStepRequest}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(data)
		if err != nil {
			return
		}
		if got := h.Append(nil); !bytes.Equal(got, data[:HeaderSize]) {
			t.Fatalf("round trip: %x, want %x", got, data[:HeaderSize])
		}
		for n := range HeaderSize {
			if _, err := ParseHeader(data[:n]); err == nil {
				t.Fatalf("prefix of %d bytes parsed", n)
			}
		}
	})
}

func FuzzDecrypt(f *testing.F) {
	a, _ := pair(f, Config{})
	f.Add(mustEncrypt(f, a, "seed"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, b := pair(t, Config{})
		_, _ = b.Decrypt(data, []byte("ad"), t0)
	})
}
