package core

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// chanRecorder is a service handler for peers on a real loop: it forwards
// received messages to a channel the test reads.
type chanRecorder struct {
	msgs chan []byte
	ups  chan identity.PeerID
}

func newChanRecorder() *chanRecorder {
	return &chanRecorder{msgs: make(chan []byte, 1024), ups: make(chan identity.PeerID, 16)}
}

func (r *chanRecorder) LinkUp(p identity.PeerID)            { r.ups <- p }
func (r *chanRecorder) LinkDown(identity.PeerID)            {}
func (r *chanRecorder) Receive(_ identity.PeerID, m []byte) { r.msgs <- m }

// tcpPeer is a CORE on a loop.Real with a TCP transport on 127.0.0.1.
type tcpPeer struct {
	loop   *loop.Real
	core   *Core
	tcp    *transport.TCP
	rec    *chanRecorder
	addr   string
	id     identity.PeerID
	stopCh chan struct{}
}

func startTCPPeer(t testing.TB, index int, cfg Config) *tcpPeer {
	t.Helper()
	return startTCPPeerWith(t, index, cfg, transport.TCPConfig{})
}

func startTCPPeerWith(t testing.TB, index int, cfg Config, tcpCfg transport.TCPConfig) *tcpPeer {
	t.Helper()
	p := &tcpPeer{loop: loop.NewReal(testLogger()), rec: newChanRecorder(), stopCh: make(chan struct{})}
	go func() {
		p.loop.Run(context.Background())
		close(p.stopCh)
	}()
	var err error
	p.loop.Call(func() {
		key := testKey(t, index)
		p.id = key.PeerID()
		p.core, err = New(cfg, p.loop, key, NewMemPeerStore())
		if err != nil {
			return
		}
		p.tcp = transport.NewTCP(p.loop, p.core, tcpCfg)
		p.core.AddTransport(p.tcp)
		if err = p.core.Register(ServiceTest, p.rec); err != nil {
			return
		}
		var bound []string
		bound, err = p.core.Listen([]string{"tcp://127.0.0.1:0"})
		if err == nil {
			p.addr = bound[0]
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// stop closes the core and the transport, waits for the transport's
// goroutines, then stops the loop.
func (p *tcpPeer) stop() {
	p.loop.Call(func() {
		p.core.Close()
		p.tcp.Close()
	})
	p.tcp.Wait()
	p.loop.Stop()
	<-p.stopCh
}

func (p *tcpPeer) stats() Stats {
	var s Stats
	p.loop.Call(func() { s = p.core.Stats() })
	return s
}

func linkTCP(t testing.TB, a, b *tcpPeer) {
	t.Helper()
	var err error
	a.loop.Call(func() { err = a.core.Dial(b.id, b.addr) })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*tcpPeer{a, b} {
		select {
		case <-p.rec.ups:
		case <-time.After(10 * time.Second):
			t.Fatal("link over TCP did not come up")
		}
	}
}

// frameBytes adds the TCP transport's length prefix.
func frameBytes(frames [][]byte) []byte {
	var out []byte
	for _, f := range frames {
		out, _ = transport.AppendFrame(out, f)
	}
	return out
}

// probeTCP connects to addr, writes raw and reports what came back and how
// the connection ended.
func probeTCP(t *testing.T, addr string, raw []byte, limit time.Duration) (n int, err error, took time.Duration) {
	_, host, _ := transport.SplitAddress(addr)
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write(raw); err != nil {
		t.Fatalf("write probe: %v", err)
	}
	conn.SetReadDeadline(start.Add(limit))
	buf := make([]byte, 1024)
	for {
		m, rerr := conn.Read(buf)
		n += m
		if rerr != nil {
			return n, rerr, time.Since(start)
		}
	}
}

// TestProbesGetSilenceOverTCP runs the probe matrix against a real TCP
// listener: no byte comes back, the close is a FIN (io.EOF, no reset) at
// the handshake deadline, and the victim's real link keeps working.
func TestProbesGetSilenceOverTCP(t *testing.T) {
	defer goleak.VerifyNone(t)
	const timeout = 1500 * time.Millisecond
	cfg := Config{HandshakeTimeout: timeout}
	a, b := startTCPPeer(t, 1, cfg), startTCPPeer(t, 2, cfg)
	defer a.stop()
	defer b.stop()
	linkTCP(t, a, b)

	type probeCase struct {
		name, class string
		raw         []byte
	}
	var cases []probeCase
	for _, p := range probeMatrix(t, 2*time.Minute) {
		cases = append(cases, probeCase{p.name, p.class, frameBytes(p.frames(b.id, time.Now()))})
	}
	for _, size := range []int{1, 3, 4, 5, 100, 70000, 1 << 20} {
		raw := make([]byte, size)
		(&detRand{state: [32]byte{byte(size)}}).Read(raw)
		cases = append(cases, probeCase{"unframed-random-" + itoa(size), "", raw})
	}
	cases = append(cases, probeCase{"empty-frame-prefix", "", []byte{0, 0, 0, 0, 1, 2, 3}})
	cases = append(cases, probeCase{"oversize-prefix", "", []byte{0, 2, 0, 0, 1, 2, 3}})
	cases = append(cases, probeCase{"prefix-longer-than-data", "silent-timeout", []byte{0, 0, 3, 232, 1, 2, 3}})
	cases = append(cases, probeCase{"nothing", "silent-timeout", nil})

	var wg sync.WaitGroup
	results := make([]struct {
		n    int
		err  error
		took time.Duration
	}, len(cases))
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.n, r.err, r.took = probeTCP(t, b.addr, c.raw, timeout+5*time.Second)
		}()
	}
	msgDone := make(chan error, 1)
	go func() {
		var err error
		a.loop.Call(func() { err = a.core.Send(b.id, ServiceTest, []byte("during probes")) })
		msgDone <- err
	}()
	select {
	case m := <-b.rec.msgs:
		if string(m) != "during probes" {
			t.Errorf("real link delivered %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Error("real link did not deliver a message while probes were open")
	}
	if err := <-msgDone; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, c := range cases {
		r := results[i]
		if r.n != 0 {
			t.Errorf("%s: victim sent %d bytes", c.name, r.n)
		}
		if !errors.Is(r.err, io.EOF) {
			t.Errorf("%s: connection ended with %v, expected a normal close (io.EOF)", c.name, r.err)
		}
		if r.took < timeout-100*time.Millisecond {
			t.Errorf("%s: closed after %v, before the %v deadline", c.name, r.took, timeout)
		}
	}
	s := b.stats()
	for _, c := range cases {
		if c.class != "" && s.ProbesDropped[c.class] == 0 {
			t.Errorf("no probe counted as %s: %v", c.class, s.ProbesDropped)
		}
	}
	if s.LinksUp != 1 || s.PendingInbound != 0 {
		t.Errorf("after the probes: %d links, %d pending, expected 1 and 0", s.LinksUp, s.PendingInbound)
	}
}

// TestReplayOverTCP captures a real peer's first message off the wire and
// replays it to the victim.
func TestReplayOverTCP(t *testing.T) {
	defer goleak.VerifyNone(t)
	const timeout = time.Second
	cfg := Config{HandshakeTimeout: timeout}
	b := startTCPPeer(t, 2, cfg)
	defer b.stop()
	_, host, _ := transport.SplitAddress(b.addr)
	relay, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	captured := make(chan []byte, 1)
	go captureFirstFrame(relay, host, captured)
	a := startTCPPeer(t, 1, cfg)
	defer a.stop()
	a.loop.Call(func() { err = a.core.Dial(b.id, "tcp://"+relay.Addr().String()) })
	if err != nil {
		t.Fatal(err)
	}
	first := <-captured
	relay.Close()
	<-b.rec.ups
	n, rerr, took := probeTCP(t, b.addr, first, timeout+5*time.Second)
	if n != 0 || !errors.Is(rerr, io.EOF) || took < timeout-100*time.Millisecond {
		t.Errorf("replay got %d bytes, ended with %v after %v; expected silence and a FIN at %v", n, rerr, took, timeout)
	}
	if got := b.stats().ProbesDropped["replay"]; got != 1 {
		t.Errorf("replays counted: %d, expected 1", got)
	}
}

// captureFirstFrame relays one connection to host and sends a copy of the
// first frame the client wrote, length prefix included.
func captureFirstFrame(ln net.Listener, host string, captured chan<- []byte) {
	client, err := ln.Accept()
	if err != nil {
		return
	}
	server, err := net.Dial("tcp", host)
	if err != nil {
		client.Close()
		return
	}
	fr := transport.NewFrameReader(client)
	frame, err := fr.ReadFrame()
	if err == nil {
		raw, _ := transport.AppendFrame(nil, frame)
		captured <- raw
		server.Write(raw)
	}
	go func() {
		io.Copy(server, client)
		server.Close()
	}()
	io.Copy(client, server)
	client.Close()
}

// TestLinkOverTCP sends messages both ways and closes gracefully.
func TestLinkOverTCP(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, b := startTCPPeer(t, 1, Config{}), startTCPPeer(t, 2, Config{})
	defer b.stop()
	linkTCP(t, a, b)
	var err error
	a.loop.Call(func() {
		for i := range 100 {
			if err = a.core.Send(b.id, ServiceTest, []byte{byte(i)}); err != nil {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		select {
		case m := <-b.rec.msgs:
			if m[0] != byte(i) {
				t.Fatalf("message %d arrived as %d", i, m[0])
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d did not arrive", i)
		}
	}
	a.stop()
	deadline := time.Now().Add(5 * time.Second)
	for b.stats().LinksUp != 0 {
		if time.Now().After(deadline) {
			t.Fatal("b kept the link after a closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
