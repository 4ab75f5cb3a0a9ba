package core

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// recorder is a test service that records CORE's events.
type recorder struct {
	ups, downs []identity.PeerID
	msgs       [][]byte
	from       []identity.PeerID
}

func (r *recorder) LinkUp(p identity.PeerID)   { r.ups = append(r.ups, p) }
func (r *recorder) LinkDown(p identity.PeerID) { r.downs = append(r.downs, p) }
func (r *recorder) Receive(p identity.PeerID, msg []byte) {
	r.from = append(r.from, p)
	r.msgs = append(r.msgs, msg)
}

type testPeer struct {
	core *Core
	rec  *recorder
	tr   *fakeTransport
	addr string
	id   identity.PeerID
	key  *identity.PrivateKey
}

func testKey(t testing.TB, index int) *identity.PrivateKey {
	seed := bytes.Repeat([]byte{byte(index + 1)}, 32)
	k, err := identity.NewKeyFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newTestPeer(t testing.TB, n *fakeNet, index int, cfg Config) *testPeer {
	t.Helper()
	key := testKey(t, index)
	env := n.sim.NewEnv(uint64(index), testLogger())
	c, err := New(cfg, env, key, NewMemPeerStore())
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprint(index)
	tr := n.transport(name, c)
	c.AddTransport(tr)
	rec := &recorder{}
	if err := c.Register(ServiceTest, rec); err != nil {
		t.Fatal(err)
	}
	bound, err := c.Listen([]string{"mem://" + name})
	if err != nil {
		t.Fatal(err)
	}
	return &testPeer{core: c, rec: rec, tr: tr, addr: bound[0], id: key.PeerID(), key: key}
}

func linkPair(t *testing.T, cfg Config) (*fakeNet, *testPeer, *testPeer) {
	t.Helper()
	n := newFakeNet(loop.NewSim(1))
	a, b := newTestPeer(t, n, 1, cfg), newTestPeer(t, n, 2, cfg)
	if err := a.core.Dial(b.id, b.addr); err != nil {
		t.Fatal(err)
	}
	n.sim.RunFor(time.Second)
	requireLinked(t, a, b)
	return n, a, b
}

func requireLinked(t *testing.T, a, b *testPeer) {
	t.Helper()
	if got := a.core.Neighbours(); len(got) != 1 || got[0] != b.id {
		t.Fatalf("neighbours of %s = %v, expected [%s]", a.id.Short(), got, b.id.Short())
	}
	if got := b.core.Neighbours(); len(got) != 1 || got[0] != a.id {
		t.Fatalf("neighbours of %s = %v, expected [%s]", b.id.Short(), got, a.id.Short())
	}
}

func TestHandshakeBringsLinkUp(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	if len(a.rec.ups) != 1 || len(b.rec.ups) != 1 {
		t.Fatalf("LinkUp events: a %d, b %d, expected 1 each", len(a.rec.ups), len(b.rec.ups))
	}
	if err := a.core.Send(b.id, ServiceTest, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if err := b.core.Send(a.id, ServiceTest, []byte("pong")); err != nil {
		t.Fatal(err)
	}
	n.sim.RunFor(time.Second)
	if len(b.rec.msgs) != 1 || string(b.rec.msgs[0]) != "ping" || b.rec.from[0] != a.id {
		t.Errorf("b received %q from %v, expected ping from a", b.rec.msgs, b.rec.from)
	}
	if len(a.rec.msgs) != 1 || string(a.rec.msgs[0]) != "pong" {
		t.Errorf("a received %q, expected pong", a.rec.msgs)
	}
	infoA, infoB := a.core.LinkInfo(), b.core.LinkInfo()
	if infoA[0].Direction != "outbound" || infoB[0].Direction != "inbound" {
		t.Errorf("directions: a %s, b %s, expected outbound and inbound", infoA[0].Direction, infoB[0].Direction)
	}
	if got := a.core.Stats().HandshakesOK; got != 1 {
		t.Errorf("a HandshakesOK = %d, expected 1", got)
	}
	if _, err := b.core.peers.Get(a.id); err != nil {
		t.Errorf("b did not store a's HELLO: %v", err)
	}
}

// TestSendRoomShrinks queues messages within one loop turn, before CORE
// flushes anything, and checks that SendRoom falls by each message and its
// record header, down to the point where Send fails.
func TestSendRoomShrinks(t *testing.T) {
	_, a, b := linkPair(t, Config{SendQueueBytes: 4 * MaxMessageSize})
	if room := a.core.SendRoom(b.id); room != 4*MaxMessageSize {
		t.Fatalf("room of an idle link %d, want %d", room, 4*MaxMessageSize)
	}
	msg := make([]byte, MaxMessageSize-recordHeaderSize)
	for i := 1; i <= 4; i++ {
		if err := a.core.Send(b.id, ServiceTest, msg); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if room, want := a.core.SendRoom(b.id), (4-i)*MaxMessageSize; room != want {
			t.Fatalf("room after %d messages %d, want %d", i, room, want)
		}
	}
	if err := a.core.Send(b.id, ServiceTest, []byte("x")); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Send with no room: %v, want ErrQueueFull", err)
	}
	if room := a.core.SendRoom(testKey(t, 9).PeerID()); room != 0 {
		t.Fatalf("room to a peer without a link %d, want 0", room)
	}
}

func TestSendErrors(t *testing.T) {
	_, a, b := linkPair(t, Config{})
	if err := a.core.Send(b.id, ServiceDHT, []byte("x")); !errors.Is(err, ErrUnregistered) {
		t.Errorf("Send on unregistered service: %v, expected ErrUnregistered", err)
	}
	if err := a.core.Send(b.id, ServiceTest, make([]byte, MaxMessageSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Send of oversize message: %v, expected ErrTooLarge", err)
	}
	if err := a.core.Send(testKey(t, 9).PeerID(), ServiceTest, []byte("x")); !errors.Is(err, ErrNoLink) {
		t.Errorf("Send to unknown peer: %v, expected ErrNoLink", err)
	}
	if err := a.core.Register(ServiceTest, &recorder{}); err == nil {
		t.Error("second Register of a service succeeded")
	}
	if err := a.core.Register(serviceControl, &recorder{}); err == nil {
		t.Error("Register of the control service succeeded")
	}
}

func TestSmallMessagesShareFrames(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	before := a.core.Stats().FramesOut
	for i := range 1000 {
		if err := a.core.Send(b.id, ServiceTest, []byte{byte(i), byte(i >> 8)}); err != nil {
			t.Fatal(err)
		}
	}
	n.sim.RunFor(time.Second)
	if got := len(b.rec.msgs); got != 1000 {
		t.Fatalf("b received %d messages, expected 1000", got)
	}
	for i, m := range b.rec.msgs {
		if m[0] != byte(i) || m[1] != byte(i>>8) {
			t.Fatalf("message %d is %x, out of order", i, m)
		}
	}
	if frames := a.core.Stats().FramesOut - before; frames != 1 {
		t.Errorf("1000 small messages took %d frames, expected 1", frames)
	}
}

func TestLargeMessagesSplitFrames(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	msg := bytes.Repeat([]byte{7}, MaxMessageSize)
	for range 3 {
		if err := a.core.Send(b.id, ServiceTest, msg); err != nil {
			t.Fatal(err)
		}
	}
	n.sim.RunFor(time.Second)
	if len(b.rec.msgs) != 3 || !bytes.Equal(b.rec.msgs[2], msg) {
		t.Fatalf("b received %d messages, expected 3 intact", len(b.rec.msgs))
	}
}

// TestLargeMessagesRecycledBuffers sends large messages in separate loop
// turns, so each batch reuses the pooled buffer of the one before, and
// checks that every message arrives with its own bytes.
func TestLargeMessagesRecycledBuffers(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	var sent [][]byte
	for i := range 5 {
		msg := bytes.Repeat([]byte{byte(i + 1)}, MaxMessageSize-i)
		if err := a.core.Send(b.id, ServiceTest, msg); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, msg)
		n.sim.RunFor(time.Millisecond)
	}
	n.sim.RunFor(time.Second)
	if len(b.rec.msgs) != len(sent) {
		t.Fatalf("b received %d messages, expected %d", len(b.rec.msgs), len(sent))
	}
	for i, msg := range sent {
		if !bytes.Equal(b.rec.msgs[i], msg) {
			t.Errorf("message %d arrived changed", i)
		}
	}
}

func TestSimultaneousDialKeepsOneLink(t *testing.T) {
	for seed := range uint64(5) {
		n := newFakeNet(loop.NewSim(seed))
		a, b := newTestPeer(t, n, 1, Config{}), newTestPeer(t, n, 2, Config{})
		if err := a.core.Dial(b.id, b.addr); err != nil {
			t.Fatal(err)
		}
		if err := b.core.Dial(a.id, a.addr); err != nil {
			t.Fatal(err)
		}
		n.sim.RunFor(time.Minute)
		requireLinked(t, a, b)
		la, lb := a.core.links[b.id], b.core.links[a.id]
		if la.conn.(*fakeConn).peer != lb.conn.(*fakeConn) {
			t.Fatalf("seed %d: the two peers kept different connections", seed)
		}
		lower := a
		if b.id.Compare(a.id) < 0 {
			lower = b
		}
		if got := lower.core.LinkInfo()[0].Direction; got != "outbound" {
			t.Errorf("seed %d: the lower peer's link is %s, expected outbound", seed, got)
		}
		if len(a.rec.ups) != 1 || len(a.rec.downs) != 0 || len(b.rec.ups) != 1 || len(b.rec.downs) != 0 {
			t.Errorf("seed %d: events a up %d down %d, b up %d down %d, expected one up each", seed, len(a.rec.ups), len(a.rec.downs), len(b.rec.ups), len(b.rec.downs))
		}
	}
}

func TestRekeyByFrameCount(t *testing.T) {
	n, a, b := linkPair(t, Config{RekeyFrames: 3})
	for i := range 20 {
		if err := a.core.Send(b.id, ServiceTest, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		n.sim.RunFor(time.Millisecond)
	}
	n.sim.RunFor(time.Second)
	if len(b.rec.msgs) != 20 {
		t.Fatalf("b received %d messages across rekeys, expected 20", len(b.rec.msgs))
	}
	if got := a.core.Stats().Rekeys; got < 5 {
		t.Errorf("a rekeyed %d times, expected at least 5", got)
	}
	if b.core.Stats().DecryptFailures != 0 {
		t.Error("rekey caused decrypt failures")
	}
}

func TestRekeyByTime(t *testing.T) {
	n, a, b := linkPair(t, Config{RekeyInterval: time.Minute})
	for i := range 5 {
		if err := a.core.Send(b.id, ServiceTest, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		n.sim.RunFor(61 * time.Second)
	}
	if len(b.rec.msgs) != 5 {
		t.Fatalf("b received %d messages, expected 5", len(b.rec.msgs))
	}
	if got := a.core.Stats().Rekeys; got < 4 {
		t.Errorf("a rekeyed %d times in 5 minutes, expected at least 4", got)
	}
}

func TestReorderedFramesAcrossRekey(t *testing.T) {
	n, a, b := linkPair(t, Config{RekeyFrames: 2})
	var held [][]byte
	n.tamper = func(from *fakeConn, frame []byte) []byte {
		if from.t == a.tr && len(held) < 3 {
			held = append(held, frame)
			return nil
		}
		return frame
	}
	for i := range 6 {
		if err := a.core.Send(b.id, ServiceTest, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		n.sim.RunFor(time.Millisecond)
	}
	n.tamper = nil
	peer := b.core.links[a.id].conn
	for i := len(held) - 1; i >= 0; i-- {
		b.core.Received(peer, held[i])
		b.core.Received(peer, append([]byte(nil), held[i]...))
	}
	n.sim.RunFor(time.Second)
	if len(b.rec.msgs) != 6 {
		t.Errorf("b received %d of 6 reordered messages", len(b.rec.msgs))
	}
	if got := b.core.Stats().ReplayedFrames; got != 3 {
		t.Errorf("b dropped %d replayed frames, expected 3", got)
	}
	requireLinked(t, a, b)
}

func TestKeepaliveHoldsIdleLink(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	n.sim.RunFor(10 * time.Minute)
	requireLinked(t, a, b)
	if got := a.core.Stats().FramesOut; got < 55 {
		t.Errorf("a sent %d frames in 10 idle minutes, expected a keepalive every 10 s", got)
	}
}

func TestDeadLinkTimeout(t *testing.T) {
	n, a, b := linkPair(t, Config{KeepaliveInterval: 5 * time.Second, DeadTimeout: 20 * time.Second})
	n.tamper = func(*fakeConn, []byte) []byte { return nil }
	start := n.sim.Elapsed()
	for len(a.rec.downs) == 0 || len(b.rec.downs) == 0 {
		if !n.sim.Step() || n.sim.Elapsed()-start > time.Minute {
			t.Fatal("dead link was not dropped within a minute")
		}
	}
	if took := n.sim.Elapsed() - start; took > 20*time.Second {
		t.Errorf("dead link dropped after %v, expected within DeadTimeout 20s", took)
	}
	if len(a.core.Neighbours()) != 0 || len(b.core.Neighbours()) != 0 {
		t.Error("a dead link is still listed")
	}
}

func TestGracefulClose(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	a.core.Close()
	n.sim.RunFor(time.Second)
	if len(b.rec.downs) != 1 || len(a.rec.downs) != 1 {
		t.Fatalf("LinkDown events after close: a %d, b %d, expected 1 each", len(a.rec.downs), len(b.rec.downs))
	}
	if len(b.core.Neighbours()) != 0 {
		t.Error("b still lists the closed link")
	}
	if err := a.core.Dial(b.id, b.addr); err == nil {
		t.Error("Dial after Close succeeded")
	}
}

func TestQueueFull(t *testing.T) {
	n, a, b := linkPair(t, Config{SendQueueBytes: 256 << 10})
	conn := a.core.links[b.id].conn.(*fakeConn)
	conn.full = true
	msg := make([]byte, 32<<10)
	var err error
	sent := 0
	for ; sent < 100 && err == nil; sent++ {
		err = a.core.Send(b.id, ServiceTest, msg)
		n.sim.RunFor(time.Millisecond)
	}
	if !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Send kept succeeding with a full transport: %v", err)
	}
	if a.core.Stats().QueueFull != 1 {
		t.Errorf("QueueFull = %d, expected 1", a.core.Stats().QueueFull)
	}
	conn.full = false
	n.sim.RunFor(time.Second)
	if got := len(b.rec.msgs); got != sent-1 {
		t.Errorf("b received %d messages after the queue drained, expected %d", got, sent-1)
	}
}

func TestLinkLimit(t *testing.T) {
	cfg := Config{MaxLinks: 1, HandshakeTimeout: 3 * time.Second}
	n, a, b := linkPair(t, cfg)
	c := newTestPeer(t, n, 3, cfg)
	if err := a.core.Dial(c.id, c.addr); !errors.Is(err, ErrLinkLimit) {
		t.Errorf("Dial past MaxLinks: %v, expected ErrLinkLimit", err)
	}
	a.core.Connect(c.core.Hello())
	if err := c.core.Dial(a.id, a.addr); err != nil {
		t.Fatal(err)
	}
	n.sim.RunFor(10 * time.Second)
	if got := a.core.Neighbours(); len(got) != 1 || got[0] != b.id {
		t.Errorf("a's neighbours = %v, expected only b", got)
	}
	if got := a.core.Stats().ProbesDropped["refused"]; got != 1 {
		t.Errorf("a refused %d inbound handshakes, expected 1", got)
	}
	if got := c.core.Stats().HandshakesFailed; got != 1 {
		t.Errorf("c counted %d failed handshakes, expected 1", got)
	}
}

func TestTamperedFrameEndsLink(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	n.tamper = func(from *fakeConn, frame []byte) []byte {
		frame[len(frame)-1] ^= 1
		return frame
	}
	if err := a.core.Send(b.id, ServiceTest, []byte("x")); err != nil {
		t.Fatal(err)
	}
	n.sim.RunFor(time.Second)
	if len(b.rec.msgs) != 0 {
		t.Error("b delivered a tampered message")
	}
	if got := b.core.Stats().DecryptFailures; got != 1 {
		t.Errorf("DecryptFailures = %d, expected 1", got)
	}
	if len(b.core.Neighbours()) != 0 || len(a.core.Neighbours()) != 0 {
		t.Error("the link survived a frame that failed to decrypt")
	}
}

func TestReconnectAfterPeerRestart(t *testing.T) {
	n, a, b := linkPair(t, Config{})
	n.sim.RunFor(time.Minute)
	// b loses its state without a close message, then dials a again.
	b2 := newTestPeer(t, n, 2, Config{})
	delete(n.listeners, b.addr)
	n.listeners[b2.addr] = b2.tr
	if err := b2.core.Dial(a.id, a.addr); err != nil {
		t.Fatal(err)
	}
	n.sim.RunFor(time.Second)
	if got := a.core.Neighbours(); len(got) != 1 {
		t.Fatalf("a has %d links after b's restart, expected 1", len(got))
	}
	if a.core.links[b.id].conn.(*fakeConn).peer.t != b2.tr {
		t.Error("a kept the old link instead of the restarted peer's")
	}
}

func TestBootstrapRedialsWithBackoff(t *testing.T) {
	n := newFakeNet(loop.NewSim(3))
	b := newTestPeer(t, n, 2, Config{})
	addr := b.addr
	delete(n.listeners, addr)
	a := newTestPeer(t, n, 1, Config{Bootstrap: []string{b.id.String() + "@" + addr}, BackoffMin: time.Second, BackoffMax: 8 * time.Second})
	a.core.Start()
	n.sim.RunFor(30 * time.Second)
	failed := a.core.Stats().HandshakesFailed
	if failed < 3 || failed > 8 {
		t.Errorf("%d dial attempts in 30 s with backoff 1 s..8 s, expected 3 to 8", failed)
	}
	n.listeners[addr] = b.tr
	n.sim.RunFor(20 * time.Second)
	requireLinked(t, a, b)
	b.core.Close()
	n.listeners[addr] = b.tr
	b2 := newTestPeer(t, n, 2, Config{})
	n.listeners[addr] = b2.tr
	n.sim.RunFor(10 * time.Second)
	if got := a.core.Neighbours(); len(got) != 1 {
		t.Errorf("a did not redial its bootstrap peer after the link closed: %v", got)
	}
}

func TestParseBootstrap(t *testing.T) {
	id := testKey(t, 1).PeerID()
	good := id.String() + "@tcp://127.0.0.1:2086"
	p, err := ParseBootstrap(good)
	if err != nil || p.Peer != id || p.Address != "tcp://127.0.0.1:2086" || p.String() != good {
		t.Fatalf("ParseBootstrap(%q) = %+v, %v", good, p, err)
	}
	for _, bad := range []string{"", "tcp://127.0.0.1:2086", "XYZ@tcp://127.0.0.1:1", id.String() + "@127.0.0.1:1", id.String() + "@"} {
		if _, err := ParseBootstrap(bad); err == nil {
			t.Errorf("ParseBootstrap(%q) succeeded", bad)
		}
	}
	n := newFakeNet(loop.NewSim(1))
	_, err = New(Config{Bootstrap: []string{"nonsense"}}, n.sim.NewEnv(0, testLogger()), testKey(t, 1), NewMemPeerStore())
	if err == nil {
		t.Error("New accepted an invalid bootstrap entry")
	}
}

func TestLossyLinkStaysUp(t *testing.T) {
	n, a, b := linkPair(t, Config{RekeyFrames: 10})
	dropped := 0
	n.tamper = func(_ *fakeConn, frame []byte) []byte {
		if frame[len(frame)-1]%3 == 0 {
			dropped++
			return nil
		}
		return frame
	}
	for i := range 200 {
		if err := a.core.Send(b.id, ServiceTest, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		n.sim.RunFor(time.Millisecond)
	}
	n.sim.RunFor(time.Second)
	if dropped == 0 || len(b.rec.msgs) != 200-dropped {
		t.Errorf("received %d messages with %d frames dropped, expected %d", len(b.rec.msgs), dropped, 200-dropped)
	}
	if got := b.core.Stats().DecryptFailures; got != 0 {
		t.Errorf("lost frames caused %d decrypt failures", got)
	}
	requireLinked(t, a, b)
}

func TestHelloIsResignedAtHalfLife(t *testing.T) {
	n := newFakeNet(loop.NewSim(1))
	a := newTestPeer(t, n, 1, Config{HelloLifetime: time.Hour})
	first := a.core.Hello()
	if len(first.Addresses) != 1 || first.Addresses[0] != a.addr {
		t.Errorf("HELLO addresses %v, expected [%s]", first.Addresses, a.addr)
	}
	n.sim.RunFor(20 * time.Minute)
	if a.core.Hello() != first {
		t.Error("HELLO re-signed before half of its lifetime")
	}
	n.sim.RunFor(11 * time.Minute)
	second := a.core.Hello()
	if !second.Expires.After(first.Expires) {
		t.Errorf("HELLO expiring %v not re-signed after half its lifetime", second.Expires)
	}
}

func TestMutualBootstrapSettlesOnOneLink(t *testing.T) {
	n := newFakeNet(loop.NewSim(5))
	keyA, keyB := testKey(t, 1), testKey(t, 2)
	cfgA := Config{Bootstrap: []string{keyB.PeerID().String() + "@mem://2"}}
	cfgB := Config{Bootstrap: []string{keyA.PeerID().String() + "@mem://1"}}
	a, b := newTestPeer(t, n, 1, cfgA), newTestPeer(t, n, 2, cfgB)
	a.core.Start()
	b.core.Start()
	n.sim.RunFor(10 * time.Minute)
	requireLinked(t, a, b)
	if len(a.rec.ups) != 1 || len(b.rec.ups) != 1 || len(a.rec.downs) != 0 || len(b.rec.downs) != 0 {
		t.Errorf("link events: a up %d down %d, b up %d down %d, expected one up each", len(a.rec.ups), len(a.rec.downs), len(b.rec.ups), len(b.rec.downs))
	}
}
