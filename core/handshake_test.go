package core

import (
	"bytes"
	"testing"
	"time"

	"github.com/hush-overlay/hush/hello"
)

func FuzzInitPayload(f *testing.F) {
	key := testKey(f, 1)
	h, err := hello.New(key, []string{"tcp://127.0.0.1:2086"}, time.Unix(2000000000, 0))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(initPayload{Sent: time.Unix(1900000000, 0), Hello: h.Marshal()}.Append(nil))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseInitPayload(b)
		if err != nil {
			return
		}
		if again := p.Append(nil); !bytes.Equal(again, b) {
			t.Fatalf("round trip changed the payload: %x to %x", b, again)
		}
		if _, err := parseInitPayload(b[:timestampSize]); err == nil {
			t.Fatal("a payload without a HELLO parsed")
		}
		for i := range timestampSize {
			if _, err := parseInitPayload(b[:i]); err == nil {
				t.Fatalf("a prefix of %d bytes parsed", i)
			}
		}
	})
}

// FuzzFirstMessage feeds arbitrary bytes to the responder's first-message
// path, which must classify and never panic. Almost all inputs fail to
// decrypt; the seeds include valid messages and variants of them.
func FuzzFirstMessage(f *testing.F) {
	responder := testKey(f, 2)
	initiator := testKey(f, 3)
	now := time.Unix(1900000000, 0)
	hb := signedHello(f, initiator, now.Add(time.Hour))
	f.Add(buildFirst(f, initiator, responder.PeerID(), initPayload{Sent: now, Hello: hb}.Append(nil), 1), int64(0))
	f.Add(buildFirst(f, initiator, responder.PeerID(), []byte{1, 2}, 2), int64(0))
	f.Add([]byte("not a handshake"), int64(5))
	keys, err := newKeyring(responder)
	if err != nil {
		f.Fatal(err)
	}
	hellos := newHelloCache()
	f.Fuzz(func(t *testing.T, msg []byte, offset int64) {
		at := now.Add(time.Duration(offset) * time.Second)
		first, p, class := keys.readFirst(&detRand{}, msg)
		if class != probeNone {
			return
		}
		class = newReplayCache(16, 2*time.Minute, time.Time{}).check(first.ephemeral, p.Sent, at)
		if class == probeNone {
			keys.checkIdentity(first, p.Hello, hellos, responder.PeerID(), at)
		}
	})
}

func TestHandshakeRejectsWrongResponderHello(t *testing.T) {
	a, b, c := testKey(t, 1), testKey(t, 2), testKey(t, 3)
	ka, _ := newKeyring(a)
	kb, _ := newKeyring(b)
	now := time.Unix(1900000000, 0)
	hs, msg, err := ka.initiate(&detRand{}, b.PeerID(), now, signedHello(t, a, now.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	first, p, class := kb.readFirst(&detRand{}, msg)
	if class != probeNone {
		t.Fatalf("valid first message classified %s", class)
	}
	if class := kb.checkIdentity(first, p.Hello, newHelloCache(), b.PeerID(), now); class != probeNone {
		t.Fatalf("valid identity classified %s", class)
	}
	_, reply, err := kb.respond(first, signedHello(t, c, now.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hs.finish(ka, newHelloCache(), b.PeerID(), reply, now); err == nil {
		t.Error("initiator accepted a second message carrying another peer's HELLO")
	}
}

func TestStaticSecretCacheMatches(t *testing.T) {
	a, b := testKey(t, 1), testKey(t, 2)
	ka, _ := newKeyring(a)
	kb, _ := newKeyring(b)
	now := time.Unix(1900000000, 0)
	for round := range 3 {
		hs, msg, err := ka.initiate(&detRand{state: [32]byte{byte(round)}}, b.PeerID(), now, signedHello(t, a, now.Add(time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		first, p, _ := kb.readFirst(&detRand{state: [32]byte{byte(round), 1}}, msg)
		if first == nil {
			t.Fatalf("round %d: first message rejected with the cached static secret", round)
		}
		if class := kb.checkIdentity(first, p.Hello, newHelloCache(), b.PeerID(), now); class != probeNone {
			t.Fatalf("round %d: identity classified %s", round, class)
		}
		_, reply, err := kb.respond(first, signedHello(t, b, now.Add(time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hs.finish(ka, newHelloCache(), b.PeerID(), reply, now); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if len(ka.shared) != 1 || len(kb.shared) != 1 {
		t.Errorf("static secrets cached: %d and %d, expected 1 each", len(ka.shared), len(kb.shared))
	}
}

// FuzzFirstMessagePayload encrypts arbitrary payloads correctly for the
// responder, so the fuzzer reaches the timestamp, replay and HELLO checks
// that random ciphertext never passes.
func FuzzFirstMessagePayload(f *testing.F) {
	responder, initiator := testKey(f, 2), testKey(f, 3)
	now := time.Unix(1900000000, 0)
	f.Add(initPayload{Sent: now, Hello: signedHello(f, initiator, now.Add(time.Hour))}.Append(nil), int64(0))
	f.Add(initPayload{Sent: now, Hello: signedHello(f, responder, now.Add(time.Hour))}.Append(nil), int64(1))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0}, int64(-200))
	keys, err := newKeyring(responder)
	if err != nil {
		f.Fatal(err)
	}
	hellos := newHelloCache()
	f.Fuzz(func(t *testing.T, payload []byte, offset int64) {
		if len(payload) > hello.MaxSize+timestampSize+1 {
			return
		}
		at := now.Add(time.Duration(offset%1000) * time.Second)
		msg := buildFirst(t, initiator, responder.PeerID(), payload, byte(len(payload)))
		first, p, class := keys.readFirst(&detRand{}, msg)
		if class == probeUndecryptable {
			t.Fatal("a correctly encrypted first message did not decrypt")
		}
		if class != probeNone {
			return
		}
		class = newReplayCache(16, 2*time.Minute, time.Time{}).check(first.ephemeral, p.Sent, at)
		if class != probeNone {
			return
		}
		class = keys.checkIdentity(first, p.Hello, hellos, responder.PeerID(), at)
		if class == probeNone && first.hello.Peer != initiator.PeerID() {
			t.Fatalf("accepted a HELLO of %s from initiator %s", first.hello.Peer.Short(), initiator.PeerID().Short())
		}
	})
}
