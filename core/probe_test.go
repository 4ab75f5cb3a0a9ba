package core

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// detRand is a deterministic random stream for building test messages.
type detRand struct{ state [32]byte }

func (r *detRand) Read(p []byte) (int, error) {
	for i := range p {
		if i%32 == 0 {
			r.state = sha256.Sum256(r.state[:])
		}
		p[i] = r.state[i%32]
	}
	return len(p), nil
}

// firstMessage builds a Noise IK first message from key to the responder
// to, carrying payload.
func buildFirst(t testing.TB, key *identity.PrivateKey, to identity.PeerID, payload []byte, seed byte) []byte {
	t.Helper()
	k, err := newKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	static, err := k.peerStatic(to)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := k.newHandshake(&detRand{state: [32]byte{seed}}, true, static[:])
	if err != nil {
		t.Fatal(err)
	}
	msg, _, _, err := hs.state.WriteMessage(nil, payload)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func signedHello(t testing.TB, key *identity.PrivateKey, expires time.Time) []byte {
	t.Helper()
	h, err := hello.New(key, []string{"tcp://127.0.0.1:1"}, expires)
	if err != nil {
		t.Fatal(err)
	}
	return h.Marshal()
}

// probe is one kind of unwelcome first contact. frames returns what the
// prober writes, given the victim's ID and the victim's clock.
type probe struct {
	name   string
	class  string
	frames func(victim identity.PeerID, now time.Time) [][]byte
}

// probeKeys: 20 is the prober's own key, 21 a third peer.
func probeMatrix(t testing.TB, skew time.Duration) []probe {
	prober, other := testKey(t, 20), testKey(t, 21)
	valid := func(victim identity.PeerID, now time.Time, seed byte) []byte {
		p := initPayload{Sent: now, Hello: signedHello(t, prober, now.Add(time.Hour))}
		return buildFirst(t, prober, victim, p.Append(nil), seed)
	}
	one := func(f func(identity.PeerID, time.Time) []byte) func(identity.PeerID, time.Time) [][]byte {
		return func(v identity.PeerID, now time.Time) [][]byte { return [][]byte{f(v, now)} }
	}
	var probes []probe
	for _, n := range []int{1, 2, 3, 4, 5, 31, 32, 33, 47, 48, 80, 96, 97, 200, 1000, 4096, 65535, transport.MaxFrameSize} {
		size := n
		probes = append(probes, probe{name: "random-" + itoa(size), class: "undecryptable", frames: one(func(identity.PeerID, time.Time) []byte {
			b := make([]byte, size)
			(&detRand{state: [32]byte{byte(size), byte(size >> 8)}}).Read(b)
			return b
		})})
	}
	probes = append(probes,
		probe{"truncated-by-one", "undecryptable", one(func(v identity.PeerID, now time.Time) []byte {
			m := valid(v, now, 1)
			return m[:len(m)-1]
		})},
		probe{"truncated-to-half", "undecryptable", one(func(v identity.PeerID, now time.Time) []byte {
			m := valid(v, now, 2)
			return m[:len(m)/2]
		})},
		probe{"ephemeral-only", "undecryptable", one(func(v identity.PeerID, now time.Time) []byte { return valid(v, now, 3)[:32] })},
		probe{"extended-by-one", "undecryptable", one(func(v identity.PeerID, now time.Time) []byte { return append(valid(v, now, 4), 0) })},
		probe{"wrong-responder-key", "undecryptable", one(func(_ identity.PeerID, now time.Time) []byte {
			return valid(other.PeerID(), now, 5)
		})},
		probe{"stale-timestamp", "stale-timestamp", one(func(v identity.PeerID, now time.Time) []byte {
			return valid(v, now.Add(-skew-time.Minute), 6)
		})},
		probe{"future-timestamp", "future-timestamp", one(func(v identity.PeerID, now time.Time) []byte {
			return valid(v, now.Add(skew+time.Minute), 7)
		})},
		probe{"bad-hello-signature", "bad-hello", one(func(v identity.PeerID, now time.Time) []byte {
			h := signedHello(t, prober, now.Add(time.Hour))
			h[len(h)-1] ^= 1
			return buildFirst(t, prober, v, initPayload{Sent: now, Hello: h}.Append(nil), 8)
		})},
		probe{"hello-of-another-peer", "bad-hello", one(func(v identity.PeerID, now time.Time) []byte {
			h := signedHello(t, other, now.Add(time.Hour))
			return buildFirst(t, prober, v, initPayload{Sent: now, Hello: h}.Append(nil), 9)
		})},
		probe{"expired-hello", "bad-hello", one(func(v identity.PeerID, now time.Time) []byte {
			h := signedHello(t, prober, now.Add(-time.Second))
			return buildFirst(t, prober, v, initPayload{Sent: now, Hello: h}.Append(nil), 10)
		})},
		probe{"no-hello", "malformed", one(func(v identity.PeerID, now time.Time) []byte {
			return buildFirst(t, prober, v, initPayload{Sent: now}.Append(nil), 11)
		})},
		probe{"second-frame-after-valid-prefix", "undecryptable", func(v identity.PeerID, now time.Time) [][]byte {
			m := valid(v, now, 12)
			return [][]byte{m[:40], m[40:]}
		}},
	)
	for _, pos := range []int{0, 31, 32, 60, 79, 80, 100, -17, -1} {
		at := pos
		probes = append(probes, probe{"flipped-bit-at-" + itoa(at), "undecryptable", one(func(v identity.PeerID, now time.Time) []byte {
			m := valid(v, now, 13)
			if at < 0 {
				at += len(m)
			}
			m[at] ^= 0x10
			return m
		})})
	}
	return probes
}

func itoa(n int) string {
	if n < 0 {
		return "minus-" + itoa(-n)
	}
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestProbesGetSilenceOnFakeNet runs the probe matrix in virtual time: the
// victim never writes, discards the connection and closes it exactly at
// accept + HandshakeTimeout, while its real link keeps working.
func TestProbesGetSilenceOnFakeNet(t *testing.T) {
	cfg := Config{HandshakeTimeout: 10 * time.Second}
	n, a, b := linkPair(t, cfg)
	for i, p := range probeMatrix(t, 2*time.Minute) {
		t.Run(p.name, func(t *testing.T) {
			r := n.dialRaw("prober-"+itoa(i), b.addr)
			accepted := n.sim.Elapsed()
			in := r.conn.peer
			for _, f := range p.frames(b.id, n.sim.Now()) {
				if err := r.conn.Send(f); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.core.Send(b.id, ServiceTest, []byte(p.name)); err != nil {
				t.Fatal(err)
			}
			n.sim.RunFor(cfg.HandshakeTimeout + time.Second)
			if len(r.received) != 0 || in.written != 0 {
				t.Errorf("victim wrote %d frames to the prober", in.written)
			}
			if !in.discarded || !in.closedByUs {
				t.Errorf("victim connection discarded=%v closed=%v, expected both", in.discarded, in.closedByUs)
			}
			if in.closedAt != accepted+cfg.HandshakeTimeout {
				t.Errorf("victim closed at %v, expected accept %v + %v", in.closedAt, accepted, cfg.HandshakeTimeout)
			}
			if got := b.core.Stats().ProbesDropped[p.class]; got == 0 {
				t.Errorf("no probe counted as %s: %v", p.class, b.core.Stats().ProbesDropped)
			}
			if last := b.rec.msgs[len(b.rec.msgs)-1]; string(last) != p.name {
				t.Errorf("real link did not deliver during the probe")
			}
		})
	}
	requireLinked(t, a, b)
	if got := b.core.Stats().PendingInbound; got != 0 {
		t.Errorf("%d probe connections left after their deadlines", got)
	}
}

// TestReplayedFirstMessageGetsSilence sends a valid first message twice:
// the first gets a reply, the exact copy gets silence.
func TestReplayedFirstMessageGetsSilence(t *testing.T) {
	cfg := Config{HandshakeTimeout: 10 * time.Second}
	n := newFakeNet(loop.NewSim(1))
	b := newTestPeer(t, n, 2, cfg)
	prober := testKey(t, 20)
	now := n.sim.Now()
	msg := buildFirst(t, prober, b.id, initPayload{Sent: now, Hello: signedHello(t, prober, now.Add(time.Hour))}.Append(nil), 1)
	first := n.dialRaw("first", b.addr)
	first.conn.Send(bytes.Clone(msg))
	n.sim.RunFor(time.Second)
	if len(first.received) != 1 {
		t.Fatalf("the original first message got %d answers, expected 1", len(first.received))
	}
	again := n.dialRaw("again", b.addr)
	accepted := n.sim.Elapsed()
	again.conn.Send(bytes.Clone(msg))
	n.sim.RunFor(cfg.HandshakeTimeout + time.Second)
	in := again.conn.peer
	if len(again.received) != 0 || in.written != 0 {
		t.Error("the replayed first message got an answer")
	}
	if in.closedAt != accepted+cfg.HandshakeTimeout {
		t.Errorf("replay closed at %v, expected %v", in.closedAt, accepted+cfg.HandshakeTimeout)
	}
	if got := b.core.Stats().ProbesDropped["replay"]; got != 1 {
		t.Errorf("replays counted: %d, expected 1", got)
	}
}

// TestPendingOverflowStaysSilent fills MaxPending and checks that the next
// connection is not read even when its first message is valid.
func TestPendingOverflowStaysSilent(t *testing.T) {
	cfg := Config{HandshakeTimeout: 10 * time.Second, MaxPending: 2}
	n := newFakeNet(loop.NewSim(1))
	b := newTestPeer(t, n, 2, cfg)
	idle := []*rawClient{n.dialRaw("idle-1", b.addr), n.dialRaw("idle-2", b.addr)}
	late := n.dialRaw("late", b.addr)
	accepted := n.sim.Elapsed()
	prober := testKey(t, 20)
	now := n.sim.Now()
	late.conn.Send(buildFirst(t, prober, b.id, initPayload{Sent: now, Hello: signedHello(t, prober, now.Add(time.Hour))}.Append(nil), 1))
	n.sim.RunFor(cfg.HandshakeTimeout + time.Second)
	if len(late.received) != 0 {
		t.Error("a connection past MaxPending got an answer")
	}
	if late.conn.peer.closedAt != accepted+cfg.HandshakeTimeout {
		t.Errorf("overflow closed at %v, expected %v", late.conn.peer.closedAt, accepted+cfg.HandshakeTimeout)
	}
	stats := b.core.Stats()
	if stats.ProbesDropped["pending-overflow"] != 1 || stats.ProbesDropped["silent-timeout"] != 2 {
		t.Errorf("probe counts %v, expected 1 pending-overflow and 2 silent-timeout", stats.ProbesDropped)
	}
	for _, r := range idle {
		if !r.closed {
			t.Error("an idle connection was not closed at its deadline")
		}
	}
}

// TestRemoteCloseDropsProbeState checks that a prober that hangs up first
// leaves no state behind and gets no close from the victim.
func TestRemoteCloseDropsProbeState(t *testing.T) {
	n := newFakeNet(loop.NewSim(1))
	b := newTestPeer(t, n, 2, Config{})
	r := n.dialRaw("prober", b.addr)
	r.conn.Send([]byte("hello?"))
	n.sim.RunFor(time.Second)
	r.conn.Close()
	n.sim.RunFor(time.Second)
	if got := b.core.Stats().PendingInbound; got != 0 {
		t.Errorf("%d pending connections after the prober closed", got)
	}
	if r.conn.peer.closedByUs {
		t.Error("victim closed a connection the prober had closed")
	}
	n.sim.RunFor(time.Minute)
}
