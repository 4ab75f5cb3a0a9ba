package cadet

import (
	"bytes"
	"testing"
	"time"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// These tests attack the parts that full-size segments, deferred ratchet
// steps and in-place decryption touch. They cross ratchet chains with
// reordering and loss in both directions at once, start a new handshake
// in the middle of a transfer, check the buffers that channels keep after
// decryption, and replay stealth tokens.

// bulkBothWays sends data from a to b and from b to a on two channels of
// one tunnel at the same time and returns both sinks.
func bulkBothWays(t *testing.T, sim *loop.Sim, a, b *fakePeer, data []byte, d time.Duration) (atB, atA *sink) {
	t.Helper()
	atB, atA = listenSink(t, b, "up", nil), listenSink(t, a, "down", nil)
	for _, dir := range []struct{ from, to *fakePeer }{{a, b}, {b, a}} {
		port := "up"
		if dir.from == b {
			port = "down"
		}
		dir.from.engine.Open(dir.to.id, port, OpenOptions{}, func(c *Channel, err error) {
			if err != nil {
				t.Errorf("open %s: %v", port, err)
				return
			}
			(&source{data: data, close: true}).attach(c)
		})
	}
	sim.RunFor(d)
	return atB, atA
}

// TestBulkBothWaysReordered runs two bulk transfers in opposite directions
// over two relays whose links reorder and lose messages. Both sides then
// take DH steps while the other's messages of older chains still arrive,
// so any divergence of the root chains shows as failed decryptions.
func TestBulkBothWaysReordered(t *testing.T) {
	sim := loop.NewSim(41)
	net := newSimNet(t, sim, 4, testConfig())
	net.chain(5 * time.Millisecond)
	for _, l := range net.links {
		l.loss, l.jitter = 0.02, 15*time.Millisecond
	}
	a, b := net.order[0], net.order[3]
	data := testData(150 * streamSegment)
	atB, atA := bulkBothWays(t, sim, a, b, data, time.Minute)
	checkDelivered(t, atB, data)
	checkDelivered(t, atA, data)

	ta, tb := a.engine.tunnels[b.id], b.engine.tunnels[a.id]
	if ta.decryptFails != 0 || tb.decryptFails != 0 {
		t.Fatalf("decryption failures at the end: %d and %d", ta.decryptFails, tb.decryptFails)
	}
	if ta.rat.Steps() < 4 || tb.rat.Steps() < 4 {
		t.Fatalf("only %d and %d DH steps in a two-way bulk transfer", ta.rat.Steps(), tb.rat.Steps())
	}
}

// TestBulkBothWaysOneHandshake checks on a lossless path that the two-way
// transfer needs one handshake only: a decryption failure from diverged
// chains would make the tunnel start another.
func TestBulkBothWaysOneHandshake(t *testing.T) {
	sim := loop.NewSim(42)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(5 * time.Millisecond)
	for _, l := range net.links {
		l.jitter = 10 * time.Millisecond
	}
	a, b := net.order[0], net.order[2]
	var established []time.Time
	data := testData(30 * streamSegment)
	atB, atA := bulkBothWays(t, sim, a, b, data, 0)
	for range 600 {
		sim.RunFor(100 * time.Millisecond)
		if tn := a.engine.tunnels[b.id]; tn != nil && tn.rat != nil && (len(established) == 0 || !tn.established.Equal(established[len(established)-1])) {
			established = append(established, tn.established)
		}
	}
	checkDelivered(t, atB, data)
	checkDelivered(t, atA, data)
	if len(established) != 1 {
		t.Fatalf("the tunnel was established %d times, want once", len(established))
	}
}

// TestHandshakeMidTransfer starts a new handshake from either end in the
// middle of a bulk transfer. Messages sealed under the old ratchet are
// lost, and the reliable channel must still deliver every byte.
func TestHandshakeMidTransfer(t *testing.T) {
	for _, side := range []string{"sender", "receiver"} {
		t.Run(side, func(t *testing.T) {
			sim := loop.NewSim(43)
			net := newSimNet(t, sim, 3, testConfig())
			net.chain(10 * time.Millisecond)
			a, b := net.order[0], net.order[2]
			data := testData(60 * streamSegment)
			kicker := a
			if side == "receiver" {
				kicker = b
			}
			other := a.id
			if kicker == a {
				other = b.id
			}
			var before, after time.Time
			sim.Schedule(300*time.Millisecond, func() {
				tn := kicker.engine.tunnels[other]
				before = tn.established
				tn.startKX()
			})
			sim.Schedule(3*time.Second, func() { after = kicker.engine.tunnels[other].established })
			s, _, err := transfer(t, sim, a, b, data, OpenOptions{}, 2*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			checkDelivered(t, s, data)
			if before.IsZero() || !after.After(before) {
				t.Fatalf("no new handshake during the transfer: established %v, then %v", before, after)
			}
		})
	}
}

// TestDatagramsKeepOwnBuffers sends datagrams of distinct contents and
// sizes up to MaxMessagePayload over two relays to a reader that reads
// only after all arrived. Each must read back as sent, which fails if
// received datagrams shared a decryption buffer.
func TestDatagramsKeepOwnBuffers(t *testing.T) {
	sim := loop.NewSim(44)
	net := newSimNet(t, sim, 4, testConfig())
	net.chain(5 * time.Millisecond)
	a, b := net.order[0], net.order[3]
	var rch *Channel
	b.engine.ListenPort("dgram", nil, func(c *Channel) { rch = c })
	sizes := []int{1, 100, 4096, MaxMessagePayload - 1, MaxMessagePayload, 17}
	var sent [][]byte
	first := bytes.Repeat([]byte{0xf1}, 300)
	a.engine.Open(b.id, "dgram", OpenOptions{Reliability: Unreliable, FirstPayload: first}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		for i := range 40 {
			d := bytes.Repeat([]byte{byte(i)}, sizes[i%len(sizes)])
			if _, err := c.Write(d); err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			sent = append(sent, d)
		}
	})
	sim.RunFor(5 * time.Second)
	if rch == nil {
		t.Fatal("channel not accepted")
	}

	want := append([][]byte{first}, sent...)
	buf := make([]byte, MaxMessagePayload)
	for i, w := range want {
		n, err := rch.Read(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if !bytes.Equal(buf[:n], w) {
			t.Fatalf("datagram %d read back as %d bytes starting %x, want %d bytes of %x", i, n, buf[:min(n, 4)], len(w), w[:1])
		}
	}
}

// TestUnorderedFullSizeMessages sends full-size messages on a reliable
// unordered channel over lossy, reordering links. Each must arrive once
// and whole.
func TestUnorderedFullSizeMessages(t *testing.T) {
	sim := loop.NewSim(45)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(5 * time.Millisecond)
	for _, l := range net.links {
		l.loss, l.jitter = 0.05, 20*time.Millisecond
	}
	a, b := net.order[0], net.order[2]

	got := map[byte]int{}
	b.engine.ListenPort("msgs", nil, func(ch *Channel) {
		ch.OnReadable = func() {
			buf := make([]byte, MaxMessagePayload)
			for {
				n, err := ch.Read(buf)
				if n == 0 || err != nil {
					return
				}
				if n != MaxMessagePayload || !bytes.Equal(buf[:n], bytes.Repeat(buf[:1], n)) {
					t.Errorf("message of %d bytes, not %d copies of %x", n, MaxMessagePayload, buf[0])
				}
				got[buf[0]]++
			}
		}
	})

	const count = 150
	next := 0
	a.engine.Open(b.id, "msgs", OpenOptions{Reliability: ReliableUnordered}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		c.OnWritable = func() {
			for next < count {
				if n, _ := c.Write(bytes.Repeat([]byte{byte(next)}, MaxMessagePayload)); n == 0 {
					return
				}
				next++
			}
		}
		c.OnWritable()
	})
	sim.RunFor(3 * time.Minute)

	if len(got) != count {
		t.Fatalf("%d distinct messages arrived, want %d", len(got), count)
	}
	for k, n := range got {
		if n != 1 {
			t.Fatalf("message %d arrived %d times", k, n)
		}
	}
}

// TestPausedReaderMemoryBound fills the window of a paused reader with
// full-size segments and checks what the receiver keeps: at most the
// window's messages, each in a buffer of about one CORE message. The
// slack allows for the allocator, which rounds sizes up to its classes.
func TestPausedReaderMemoryBound(t *testing.T) {
	sim := loop.NewSim(46)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(5 * time.Millisecond)
	a, b := net.order[0], net.order[2]
	s := listenSink(t, b, "bulk", nil)
	s.paused = true
	data := testData(200 * streamSegment)
	a.engine.Open(b.id, "bulk", OpenOptions{}, func(c *Channel, err error) {
		if err == nil {
			(&source{data: data, close: true}).attach(c)
		}
	})
	sim.RunFor(20 * time.Second)

	var recv *channel
	for _, ch := range b.engine.tunnels[a.id].channels {
		recv = ch
	}
	window := int(testConfig().withDefaults().ReceiveWindow)
	if len(recv.rcv.slots) > window {
		t.Fatalf("paused reader buffers %d messages, window %d", len(recv.rcv.slots), window)
	}
	const perMessage = core.MaxMessageSize + core.MaxMessageSize/8
	held := 0
	for seq, slot := range recv.rcv.slots {
		if cap(slot.data) > perMessage {
			t.Fatalf("message %d keeps a buffer of %d bytes, more than %d", seq, cap(slot.data), perMessage)
		}
		held += cap(slot.data)
	}
	if limit := window * perMessage; held > limit {
		t.Fatalf("paused reader holds %d bytes, limit %d", held, limit)
	}

	s.paused = false
	s.drain()
	sim.RunFor(time.Minute)
	checkDelivered(t, s, data)
}

// openedStealth opens port "hidden" on b from a with the secret and
// returns the accepted channel's token.
func openedStealth(t *testing.T, sim *loop.Sim, a, b *fakePeer, first []byte) (Token, *Channel) {
	t.Helper()
	var token Token
	var opened *Channel
	a.engine.Open(b.id, "hidden", OpenOptions{Secret: &stealthSecret, FirstPayload: first}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("valid open: %v", err)
			return
		}
		token, opened = c.Token(), c
	})
	sim.RunFor(5 * time.Second)
	if token == (Token{}) {
		t.Fatal("the valid open recorded no token")
	}
	return token, opened
}

// TestReplayedTokenVariants replays an accepted token in every way the
// opener can: on new channels while the first is open and after it
// closed, with another first payload, to another port, and after the
// window. None may open, each retransmission must be refused and counted,
// and the responder must send nothing in return.
func TestReplayedTokenVariants(t *testing.T) {
	sim := loop.NewSim(47)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[2]
	accepted := 0
	for _, port := range []string{"hidden", "other"} {
		if _, err := b.engine.ListenPort(port, &stealthSecret, func(*Channel) { accepted++ }); err != nil {
			t.Fatal(err)
		}
	}
	listenSink(t, b, "keep", nil)
	a.engine.Open(b.id, "keep", OpenOptions{}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("open a channel that keeps the tunnel: %v", err)
		}
	})
	token, first := openedStealth(t, sim, a, b, []byte("GET /"))
	binding := string(a.engine.tunnels[b.id].binding)

	cases := []struct {
		name   string
		port   string
		first  []byte
		before func()
	}{
		{name: "while the first is open", port: "hidden", first: []byte("GET /")},
		{name: "after the first closed", port: "hidden", first: []byte("GET /"), before: func() { first.Close(); sim.RunFor(5 * time.Second) }},
		{name: "other first payload", port: "hidden", first: []byte("GET /admin")},
		{name: "other port", port: "other", first: []byte("GET /")},
		{name: "after the window", port: "hidden", first: []byte("GET /"), before: func() { sim.RunFor(10 * time.Minute) }},
	}
	for _, c := range cases {
		if c.before != nil {
			c.before()
		}
		before := b.engine.Stats().Refused.Total()
		called := false
		cancel := a.engine.Open(b.id, c.port, OpenOptions{Replay: &token, FirstPayload: c.first}, func(*Channel, error) { called = true })
		net.record = true
		net.sent = map[identity.PeerID][]sentMsg{}
		sim.RunFor(20 * time.Second)
		net.record = false
		if called {
			t.Fatalf("%s: the replayed open completed", c.name)
		}
		cancel()
		refused := b.engine.Stats().Refused.Total() - before
		if refused < 2 {
			t.Fatalf("%s: %d refusals counted for an open retransmitted over 20 s", c.name, refused)
		}
		for _, m := range net.sent[b.id] {
			if len(m.msg) > 200 {
				t.Fatalf("%s: responder sent a %d-byte message after a replay", c.name, len(m.msg))
			}
		}
	}
	if string(a.engine.tunnels[b.id].binding) != binding {
		t.Fatal("the tunnel ran a new handshake during the test: the cases after it did not test replays")
	}
	if accepted != 1 {
		t.Fatalf("%d channels accepted, want only the original", accepted)
	}
	st := b.engine.Stats().Refused
	if st.Replay == 0 || st.BadToken == 0 || st.Stale == 0 {
		t.Fatalf("refusals %+v: want replay, bad-token and stale among them", st)
	}
}

// TestReplayedTokenAcrossHandshake replays a token after the tunnel ran a
// new handshake. The binding in the token no longer matches, so the open
// is refused as a bad token.
func TestReplayedTokenAcrossHandshake(t *testing.T) {
	sim := loop.NewSim(48)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[1]
	listenSink(t, b, "hidden", &stealthSecret)
	token, _ := openedStealth(t, sim, a, b, nil)
	a.engine.tunnels[b.id].startKX()
	sim.RunFor(5 * time.Second)

	before := b.engine.Stats()
	called := false
	cancel := a.engine.Open(b.id, "hidden", OpenOptions{Replay: &token}, func(*Channel, error) { called = true })
	sim.RunFor(10 * time.Second)
	openedByReplay := called
	cancel()
	after := b.engine.Stats()
	if openedByReplay || after.OpensAccepted != before.OpensAccepted {
		t.Fatal("a token from before the handshake opened a channel")
	}
	if after.Refused.BadToken == before.Refused.BadToken {
		t.Fatalf("refusals %+v: want the replay counted as a bad token", after.Refused)
	}
}

// TestStepRequestNoKeepaliveStorm checks that an idle tunnel falls quiet.
// After a transfer whose chains requested steps, the ends must not keep
// replying to each other's step requests with keepalives.
func TestStepRequestNoKeepaliveStorm(t *testing.T) {
	sim := loop.NewSim(49)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(5 * time.Millisecond)
	a, b := net.order[0], net.order[1]
	data := testData(100 * streamSegment)
	s, _, err := transfer(t, sim, a, b, data, OpenOptions{}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, data)
	net.record = true
	sim.RunFor(10 * time.Second)
	for _, p := range []*fakePeer{a, b} {
		// Connection keepalives go out at most twice per interval, so
		// anything more is tunnel traffic on an idle tunnel.
		if n := len(net.sent[p.id]); n > 25 {
			t.Fatalf("%v sent %d messages in 10 idle seconds", p, n)
		}
	}
}

// TestTokenZeroOnAcceptor checks that Channel.Token stays zero on the
// accepting side, so a responder cannot be used to mint replays.
func TestTokenZeroOnAcceptor(t *testing.T) {
	sim := loop.NewSim(50)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(10 * time.Millisecond)
	a, b := net.order[0], net.order[1]
	var acc *Channel
	b.engine.ListenPort("hidden", &stealthSecret, func(c *Channel) { acc = c })
	openedStealth(t, sim, a, b, []byte("x"))
	if acc == nil {
		t.Fatal("not accepted")
	}
	if tok := acc.Token(); tok != (Token{}) {
		t.Fatalf("acceptor's Token is %+v, want the zero Token", tok)
	}
}
