package cadet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// newRealNet builds n peers on real loops; messages cross links after the
// link latency by real timers.
func newRealNet(t *testing.T, n int, cfg Config) *fakeNet {
	fn := newFakeNet(11)
	start := time.Now()
	fn.clock = func() time.Duration { return time.Since(start) }
	// Deliveries to each peer keep their send order, as on a real link:
	// each timer delivers the oldest pending message, under a per-peer
	// lock, so concurrent timers cannot reorder them.
	var qmu sync.Mutex
	queues := map[*fakePeer][]func(){}
	locks := map[*fakePeer]*sync.Mutex{}
	fn.schedule = func(to *fakePeer, d time.Duration, run func()) {
		qmu.Lock()
		queues[to] = append(queues[to], run)
		if locks[to] == nil {
			locks[to] = &sync.Mutex{}
		}
		lock := locks[to]
		qmu.Unlock()
		time.AfterFunc(d, func() {
			lock.Lock()
			defer lock.Unlock()
			qmu.Lock()
			next := queues[to][0]
			queues[to] = queues[to][1:]
			qmu.Unlock()
			to.real.Post(next)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	for i := range n {
		real := loop.NewReal(testLogger(t, i))
		go real.Run(ctx)
		p := &fakePeer{net: fn, index: i, env: real, real: real, done: make(chan struct{})}
		fn.addRealPeer(t, p, cfg)
	}
	t.Cleanup(func() {
		cancel()
		for _, p := range fn.order {
			p.real.Stop()
			close(p.done)
		}
	})
	return fn
}

func (n *fakeNet) addRealPeer(t *testing.T, p *fakePeer, cfg Config) {
	seed := make([]byte, 32)
	seed[0], seed[1] = byte(p.index), 0x77
	key, err := identityFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	p.key, p.id = key, key.PeerID()
	n.mu.Lock()
	n.peers[p.id] = p
	n.order = append(n.order, p)
	n.mu.Unlock()
	p.real.Call(func() { p.start(cfg) })
}

func (p *fakePeer) api() *API { return NewAPI(p.engine, p.env, p.done) }

func apiPair(t *testing.T, hops int) (*API, *API, *fakeNet) {
	fnet := newRealNet(t, hops+1, testConfig())
	fnet.chain(2 * time.Millisecond)
	return fnet.order[0].api(), fnet.order[hops].api(), fnet
}

func TestAPIDialEcho(t *testing.T) {
	client, server, fnet := apiPair(t, 2)
	l, err := server.Listen("echo", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		io.Copy(c, c)
		c.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, fnet.order[2].id, "echo", DialOptions{})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	data := testData(1 << 20)
	go c.Write(data)
	got := make([]byte, len(data))
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("echo differs from what was sent")
	}
	c.Close()
	if st := client.Stats(); st.BytesSent < uint64(len(data)) {
		t.Fatalf("stats count %d bytes sent, want at least %d", st.BytesSent, len(data))
	}
	if tl := client.Tunnels(); len(tl) != 1 || tl[0].State != "ready" {
		t.Fatalf("tunnels %+v, want one ready", tl)
	}
	if ports := server.Ports(); len(ports) != 1 || ports[0] != (PortInfo{Name: "echo"}) {
		t.Fatalf("server ports %+v, want the public port echo", ports)
	}
}

func TestAPIReadDeadline(t *testing.T) {
	client, server, fnet := apiPair(t, 1)
	l, _ := server.Listen("quiet", ListenOptions{})
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	c, err := client.Dial(context.Background(), fnet.order[1].id, "quiet", DialOptions{FirstPayload: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = c.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past deadline: %v, want a timeout net.Error", err)
	}
	done := make(chan error, 1)
	c.SetReadDeadline(time.Time{})
	go func() { _, err := c.Read(make([]byte, 10)); done <- err }()
	time.Sleep(20 * time.Millisecond)
	c.SetReadDeadline(time.Now())
	select {
	case err := <-done:
		if !errors.Is(err, errTimeout) {
			t.Fatalf("blocked read after deadline moved to now: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("moving the deadline did not unblock a read")
	}
	srv := <-accepted
	buf := make([]byte, 1)
	if n, _ := srv.Read(buf); n != 1 || buf[0] != 'x' {
		t.Fatalf("server read %q, want the first payload", buf[:n])
	}
	srv.Close()
}

func TestAPIStealthWrongSecret(t *testing.T) {
	client, server, fnet := apiPair(t, 1)
	l, _ := server.Listen("hidden", ListenOptions{Secret: &stealthSecret})
	defer l.Close()
	wrong := [32]byte{3}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := client.Dial(ctx, fnet.order[1].id, "hidden", DialOptions{Secret: &wrong})
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("dial with a wrong secret: %v, want ErrNoAnswer after the deadline", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := client.Dial(ctx2, fnet.order[1].id, "hidden", DialOptions{Secret: &stealthSecret})
	if err != nil {
		t.Fatalf("dial with the right secret: %v", err)
	}
	c.Close()
}

func TestAPINoPath(t *testing.T) {
	fnet := newRealNet(t, 2, testConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := fnet.order[0].api().Dial(ctx, fnet.order[1].id, "x", DialOptions{})
	if !errors.Is(err, ErrNoPath) {
		t.Fatalf("dial without links: %v, want ErrNoPath", err)
	}
}

// TestAPISlowReader writes 2 MiB to a server that reads slowly. Writes
// block on the window instead of losing data.
func TestAPISlowReader(t *testing.T) {
	client, server, fnet := apiPair(t, 1)
	l, _ := server.Listen("slow", ListenOptions{})
	defer l.Close()
	result := make(chan []byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			result <- nil
			return
		}
		var got bytes.Buffer
		buf := make([]byte, 64<<10)
		for {
			time.Sleep(2 * time.Millisecond)
			n, err := c.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				break
			}
		}
		result <- got.Bytes()
	}()
	c, err := client.Dial(context.Background(), fnet.order[1].id, "slow", DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := testData(2 << 20)
	if _, err := c.Write(data); err != nil {
		t.Fatalf("write: %v", err)
	}
	c.Close()
	got := <-result
	if !bytes.Equal(got, data) {
		t.Fatalf("slow reader got %d bytes, want %d", len(got), len(data))
	}
	if n := client.Stats().Retransmits; n != 0 {
		t.Fatalf("%d retransmissions on a lossless path with a slow reader", n)
	}
}

func TestAPICloseWriteKeepsReading(t *testing.T) {
	client, server, fnet := apiPair(t, 1)
	l, err := server.Listen("upper", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		request, _ := io.ReadAll(c) // until the client's FIN
		c.Write(bytes.ToUpper(request))
		c.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, fnet.order[1].id, "upper", DialOptions{})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	c.Write([]byte("half closed"))
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("more")); err == nil {
		t.Fatal("Write after CloseWrite succeeded")
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply, err := io.ReadAll(c)
	if err != nil || string(reply) != "HALF CLOSED" {
		t.Fatalf("reply after CloseWrite = %q, %v", reply, err)
	}
}
