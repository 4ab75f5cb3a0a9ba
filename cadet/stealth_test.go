package cadet

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

var stealthSecret = [32]byte{1, 2, 3, 4, 5, 6, 7, 8}

// probe is one channel open the prober sends after the tunnel is set up.
// build returns the tunnel plaintexts to send, in order; only the last
// one is the probe whose effects are recorded.
type probe struct {
	name  string
	class refusalClass
	build func(t *tunnel, ctn uint32) [][]byte
}

// validOpen returns a correct stealth open for port "hidden" on the
// tunnel's peer, with the token computed as the initiator does.
func validOpen(t *tunnel, ctn uint32, secret *[32]byte, port string, ts time.Time) *wire.ChannelOpen {
	m := &wire.ChannelOpen{CTN: ctn, Options: wire.OptReliable | wire.OptOrdered, PortHash: PortHash(port, t.peer), Payload: []byte("GET /")}
	m.T = uint64(ts.Unix())
	m.Nonce = [wire.NonceSize]byte{9, 9, 9}
	m.AV = stealthAV(secret, t.binding, t.peer, m)
	return m
}

func probes() []probe {
	wrong := [32]byte{0xee}
	open := func(secret *[32]byte, port string, skew time.Duration) func(*tunnel, uint32) [][]byte {
		return func(t *tunnel, ctn uint32) [][]byte {
			return [][]byte{validOpen(t, ctn, secret, port, t.e.now().Add(skew)).Append(nil)}
		}
	}
	return []probe{
		{"unknown port", refusalUnknownPort, open(&stealthSecret, "other", 0)},
		{"wrong token", refusalBadToken, open(&wrong, "hidden", 0)},
		{"stale time", refusalStale, open(&stealthSecret, "hidden", -10*time.Minute)},
		{"future time", refusalStale, open(&stealthSecret, "hidden", 10*time.Minute)},
		{"replay", refusalReplay, func(t *tunnel, ctn uint32) [][]byte {
			m := validOpen(t, ctn, &stealthSecret, "hidden", t.e.now()).Append(nil)
			return [][]byte{m, m}
		}},
		{"malformed", refusalMalformed, func(t *tunnel, ctn uint32) [][]byte {
			return [][]byte{validOpen(t, ctn, &stealthSecret, "hidden", t.e.now()).Append(nil)[:40]}
		}},
		{"own channel number", refusalMalformed, func(t *tunnel, ctn uint32) [][]byte {
			return [][]byte{validOpen(t, ctn^(1<<31), &stealthSecret, "hidden", t.e.now()).Append(nil)}
		}},
	}
}

// probeTranscript sets up a tunnel from peer 0 to peer 1, which listens on
// a stealth port, and sends the probe's messages. It returns every message
// peer 1 sent after the probe, timed relative to it, and peer 1's counters.
func probeTranscript(t *testing.T, pr probe) (string, Stats) {
	sim := loop.NewSim(21)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[1]
	accepted := 0
	b.engine.ListenPort("hidden", &stealthSecret, func(*Channel) { accepted++ })
	tun := a.engine.tunnelTo(b.id)
	tun.whenConnected(func(error) {})
	tun.enqueue((&wire.TunnelKeepalive{}).Append(nil))
	sim.RunFor(5 * time.Second)
	if tun.rat == nil {
		t.Fatal("tunnel not established")
	}
	msgs := pr.build(tun, tun.allocateCTN())
	for _, m := range msgs[:len(msgs)-1] {
		tun.sendTunnel(m)
	}
	sim.RunFor(5 * time.Second)
	net.record = true
	start := sim.Elapsed()
	tun.sendTunnel(msgs[len(msgs)-1])
	sim.RunFor(20 * time.Second)
	var out bytes.Buffer
	for _, m := range net.sent[b.id] {
		fmt.Fprintf(&out, "%v %s %x\n", m.at-start, wire.Type(m.msg[0]), m.msg)
	}
	if accepted > 1 || (accepted == 1 && pr.class != refusalReplay && pr.class != refusalNone) {
		t.Fatalf("%s: %d channels accepted", pr.name, accepted)
	}
	return out.String(), b.engine.Stats()
}

// TestStealthProbeMatrix checks that every refusal class looks the same
// from outside: the stealth peer sends exactly the same bytes at the same
// times (only its own keepalives), and only its counters tell them apart.
func TestStealthProbeMatrix(t *testing.T) {
	var baseline string
	for i, pr := range probes() {
		transcript, stats := probeTranscript(t, pr)
		if i == 0 {
			baseline = transcript
		} else if transcript != baseline {
			t.Errorf("%s: observable traffic differs from %s:\n%s\nvs\n%s", pr.name, probes()[0].name, transcript, baseline)
		}
		if want := refusedCount(stats.Refused, pr.class); want != 1 {
			t.Errorf("%s: refused counter for %s is %d, want 1 (%+v)", pr.name, pr.class, want, stats.Refused)
		}
		if stats.Refused.Total() != 1 {
			t.Errorf("%s: %d refusals counted, want 1", pr.name, stats.Refused.Total())
		}
	}
	for _, line := range bytes.Split([]byte(baseline), []byte("\n")) {
		if len(line) > 0 && !bytes.Contains(line, []byte(" KEEPALIVE ")) {
			t.Errorf("refused probe caused traffic beyond keepalives: %s", line)
		}
	}
}

// TestStealthAcceptDiffers is the matrix's positive control: a valid
// open gets a response, so the transcript comparison can see a difference.
func TestStealthAcceptDiffers(t *testing.T) {
	refused, _ := probeTranscript(t, probes()[0])
	valid := probe{"valid", refusalNone, func(t *tunnel, ctn uint32) [][]byte {
		return [][]byte{validOpen(t, ctn, &stealthSecret, "hidden", t.e.now()).Append(nil)}
	}}
	accepted, stats := probeTranscript(t, valid)
	if accepted == refused {
		t.Fatal("an accepted open looks like a refused one")
	}
	if stats.OpensAccepted != 1 {
		t.Fatalf("%d opens accepted, want 1", stats.OpensAccepted)
	}
}

func refusedCount(r RefusedOpens, c refusalClass) uint64 {
	switch c {
	case refusalMalformed:
		return r.Malformed
	case refusalUnknownPort:
		return r.UnknownPort
	case refusalBadToken:
		return r.BadToken
	case refusalStale:
		return r.Stale
	case refusalReplay:
		return r.Replay
	}
	return 0
}

// TestStealthDialDeliversFirstPayload opens a stealth port through Open
// with the right secret: the first payload arrives with the open.
func TestStealthDialDeliversFirstPayload(t *testing.T) {
	sim := loop.NewSim(22)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[2]
	s := listenSink(t, b, "hidden", &stealthSecret)
	var gotErr error
	opened := false
	a.engine.Open(b.id, "hidden", OpenOptions{Secret: &stealthSecret, FirstPayload: []byte("hello")}, func(c *Channel, err error) {
		opened, gotErr = c != nil, err
	})
	sim.RunFor(5 * time.Second)
	if !opened || gotErr != nil {
		t.Fatalf("stealth open with the right secret: opened %v, err %v", opened, gotErr)
	}
	if s.buf.String() != "hello" {
		t.Fatalf("first payload %q, want %q", s.buf.String(), "hello")
	}
}

// TestStealthWrongSecretNoAnswer opens with a wrong secret: no response
// arrives, and cancel ends the wait with ErrNoAnswer.
func TestStealthWrongSecretNoAnswer(t *testing.T) {
	sim := loop.NewSim(23)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[1]
	listenSink(t, b, "hidden", &stealthSecret)
	wrong := [32]byte{7}
	var gotErr error
	called := 0
	cancel := a.engine.Open(b.id, "hidden", OpenOptions{Secret: &wrong}, func(c *Channel, err error) {
		called++
		gotErr = err
	})
	sim.RunFor(30 * time.Second)
	if called != 0 {
		t.Fatalf("open with a wrong secret completed: %v", gotErr)
	}
	cancel()
	if called != 1 || gotErr != ErrNoAnswer {
		t.Fatalf("after cancel: %d calls, err %v, want ErrNoAnswer", called, gotErr)
	}
	if b.engine.Stats().Refused.BadToken == 0 {
		t.Fatal("no bad-token refusal counted")
	}
}

// TestStealthReplayedTokenNoAnswer sends the token of an accepted open
// again on a new channel of the same tunnel: the responder stays silent
// and counts a replay.
func TestStealthReplayedTokenNoAnswer(t *testing.T) {
	sim := loop.NewSim(24)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[2]
	listenSink(t, b, "hidden", &stealthSecret)
	var token Token
	a.engine.Open(b.id, "hidden", OpenOptions{Secret: &stealthSecret}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("valid open: %v", err)
			return
		}
		token = c.Token()
	})
	sim.RunFor(5 * time.Second)
	if token == (Token{}) {
		t.Fatal("the valid open recorded no token")
	}

	var gotErr error
	called := 0
	cancel := a.engine.Open(b.id, "hidden", OpenOptions{Replay: &token}, func(c *Channel, err error) {
		called++
		gotErr = err
	})
	sim.RunFor(30 * time.Second)
	if called != 0 {
		t.Fatalf("open with a replayed token completed: %v", gotErr)
	}
	cancel()
	if gotErr != ErrNoAnswer {
		t.Fatalf("after cancel: err %v, want ErrNoAnswer", gotErr)
	}
	if b.engine.Stats().Refused.Replay == 0 {
		t.Fatal("no replay refusal counted")
	}
}

func TestReplayCacheBounded(t *testing.T) {
	c := newReplayCache(4)
	now := loop.SimEpoch
	for i := range 10 {
		av := [wire.TokenSize]byte{byte(i)}
		if c.seen(av, uint64(now.Unix())+uint64(i), now, time.Minute) {
			t.Fatalf("fresh token %d seen", i)
		}
		c.add(av, uint64(now.Unix())+uint64(i), now, time.Minute)
	}
	if c.len() != 4 {
		t.Fatalf("cache holds %d tokens, bound 4", c.len())
	}
	if !c.seen([wire.TokenSize]byte{0}, uint64(now.Unix()), now, time.Minute) {
		t.Fatal("an evicted token is accepted again: the floor must refuse it")
	}
}

// TestStealthRotationGrace checks that after a rotation both secrets open
// the port until the grace period ends, and then only the new one does.
func TestStealthRotationGrace(t *testing.T) {
	old, fresh := [32]byte{1}, [32]byte{2}
	e := &Engine{ports: map[[wire.PortHashSize]byte]*port{}}
	e.self = identity.PeerID{7}
	p := &port{name: "web", hash: PortHash("web", e.self), secret: &old}
	e.ports[p.hash] = p
	now := time.Unix(1_000_000, 0)
	if err := e.RotateSecret("web", fresh, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	current, previous := p.secrets(now)
	if *current != fresh || *previous != old {
		t.Fatalf("during the grace period: current %x, previous %x", current[:1], previous[:1])
	}
	current, previous = p.secrets(now.Add(2 * time.Minute))
	if *current != fresh || *previous != dummySecret {
		t.Fatalf("after the grace period the old secret is still accepted")
	}
	if err := e.RotateSecret("missing", fresh, now); !errors.Is(err, ErrNoSuchPort) {
		t.Fatalf("rotating a missing port: %v", err)
	}
}
