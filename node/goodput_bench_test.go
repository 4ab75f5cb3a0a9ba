package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/config"
	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
)

// benchTransfer is the size of one measured transfer.
const benchTransfer = 32 << 20

// BenchmarkGoodput compares, in one run and on 127.0.0.1, a stream over
// raw TCP, messages over one CORE link, and a CADET channel over zero, one
// and two relays between in-process nodes (each with its own loop, TCP
// transport and database). The nodes form a line; the ends cannot link
// to each other, so the channel crosses every relay.
func BenchmarkGoodput(b *testing.B) {
	b.Run("raw-tcp", benchRawTCP)
	b.Run("core-link", benchCoreLink)
	for relays := range 3 {
		b.Run(fmt.Sprintf("cadet-relays=%d", relays), func(b *testing.B) { benchChannel(b, relays) })
	}
	b.Run("cadet-relays=1-control-streams", benchControlStreams)
}

// benchControlStreams carries the channel of cadet-relays=1 the way `hush
// cadet connect` and `hush cadet listen` do: through stream requests on
// each end's control socket, which the daemon splices to the channel.
func benchControlStreams(b *testing.B) {
	nodes := startLine(b, 3)
	a, z := nodes[0], nodes[2]
	secret := strings.Repeat("ab", 32)
	data := make([]byte, benchTransfer)
	b.SetBytes(benchTransfer)
	var report func()
	for i := range b.N + 1 {
		// Run 0 warms up: it waits for the path and builds the tunnel.
		if i == 1 {
			b.ResetTimer()
			report = measureCPU(b, benchTransfer)
		}
		ctx := context.Background()
		listen, err := control.NewClient(z.home.Socket()).Stream(ctx, "/v1/cadet/listen", ChannelRequest{Port: "bulk", Secret: secret})
		if err != nil {
			b.Fatal(err)
		}
		received := make(chan int64, 1)
		go func() {
			n, _ := io.Copy(io.Discard, listen)
			listen.Close()
			received <- n
		}()
		conn := streamRetry(b, a, z.PeerID(), secret)
		if i > 0 {
			if _, err := conn.Write(data); err != nil {
				b.Fatal(err)
			}
		}
		conn.CloseWrite()
		io.Copy(io.Discard, conn)
		conn.Close()
		if n, want := <-received, int64(min(i, 1)*benchTransfer); n != want {
			b.Fatalf("received %d bytes, want %d", n, want)
		}
	}
	b.StopTimer()
	report()
}

// streamRetry opens a connect stream from a to peer's port "bulk",
// retrying while the path is not known yet.
func streamRetry(b *testing.B, a *Node, peer identity.PeerID, secret string) *control.StreamConn {
	req := ChannelRequest{Peer: peer.String(), Port: "bulk", Secret: secret, TimeoutSecs: 5}
	return retryOpen(b, "connect stream", func() (*control.StreamConn, error) {
		return control.NewClient(a.home.Socket()).Stream(context.Background(), "/v1/cadet/connect", req)
	})
}

func benchRawTCP(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	data := make([]byte, benchTransfer)
	b.SetBytes(benchTransfer)
	defer measureCPU(b, benchTransfer)()
	for range b.N {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Write(data); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// counter counts bytes received on the test service and signals when a
// transfer is complete.
type counter struct {
	got  int
	done chan struct{}
}

func (c *counter) LinkUp(identity.PeerID)   {}
func (c *counter) LinkDown(identity.PeerID) {}
func (c *counter) Receive(_ identity.PeerID, msg []byte) {
	c.got += len(msg)
	if c.got >= benchTransfer {
		c.got -= benchTransfer
		c.done <- struct{}{}
	}
}

// benchCoreLink sends CADET-sized messages over one CORE link, stopping
// when CORE's queue is full and going on when it drains, as CADET does.
func benchCoreLink(b *testing.B) {
	nodes := startLine(b, 2)
	a, z := nodes[0], nodes[1]
	rx := &counter{done: make(chan struct{}, 1)}
	z.loop.Call(func() { z.core.Register(core.ServiceTest, rx) })
	a.loop.Call(func() { a.core.Register(core.ServiceTest, &counter{}) })
	msg := make([]byte, core.MaxMessageSize-64)
	b.SetBytes(benchTransfer)
	b.ResetTimer()
	defer measureCPU(b, benchTransfer)()
	for range b.N {
		sent := 0
		for sent < benchTransfer {
			var err error
			a.loop.Call(func() {
				for sent < benchTransfer {
					if err = a.core.Send(z.PeerID(), core.ServiceTest, msg); err != nil {
						return
					}
					sent += len(msg)
				}
			})
			if err != nil && !errors.Is(err, core.ErrQueueFull) {
				b.Fatal(err)
			}
			if err != nil {
				time.Sleep(50 * time.Microsecond)
			}
		}
		<-rx.done
	}
}

func benchChannel(b *testing.B, relays int) {
	nodes := startLine(b, relays+2)
	a, z := nodes[0], nodes[len(nodes)-1]
	secret := &[32]byte{1, 2, 3}
	ln, err := z.CADET().Listen("bulk", cadet.ListenOptions{Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	received := make(chan int64, 1)
	go drainChannels(ln, received)

	warm := dialRetry(b, a, z.PeerID(), secret)
	warm.Close()
	if n := <-received; n != 0 {
		b.Fatalf("warm-up channel delivered %d bytes, want 0", n)
	}

	data := make([]byte, benchTransfer)
	b.SetBytes(benchTransfer)
	b.ResetTimer()
	report := measureCPU(b, benchTransfer)
	for range b.N {
		c := dialRetry(b, a, z.PeerID(), secret)
		if _, err := c.Write(data); err != nil {
			b.Fatal(err)
		}
		c.Close()
		if n := <-received; n != benchTransfer {
			b.Fatalf("received %d bytes, want %d", n, benchTransfer)
		}
	}
	b.StopTimer()
	report()
	for _, n := range nodes {
		if s := n.CADET().Stats(); s.Retransmits > 0 || s.StepWaits > 0 {
			b.Logf("%s: %d retransmissions, %d timeouts, %d waits for a ratchet step", n.PeerID().Short(), s.Retransmits, s.Timeouts, s.StepWaits)
		}
	}
}

// drainChannels reads each accepted channel to its end and sends the byte
// count, or -1 after a read error.
func drainChannels(ln net.Listener, received chan<- int64) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		n, err := io.Copy(io.Discard, c)
		if err != nil {
			n = -1
		}
		c.Close()
		received <- n
	}
}

// dialRetry opens a channel from a to peer's port "bulk", retrying while
// the path is not known yet.
func dialRetry(b *testing.B, a *Node, peer identity.PeerID, secret *[32]byte) net.Conn {
	return retryOpen(b, "dial", func() (net.Conn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return a.CADET().Dial(ctx, peer, "bulk", cadet.DialOptions{Secret: secret})
	})
}

// retryOpen calls open every 200 ms until it succeeds, for at most 30 s:
// the first open waits for the target's HELLO to reach the DHT.
func retryOpen[T any](b *testing.B, what string, open func() (T, error)) T {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := open()
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startLine starts n nodes on 127.0.0.1 and links node i to node i+1
// only. Each node allows as many links as it has neighbours in the line,
// so the DHT cannot link the ends directly.
func startLine(b *testing.B, n int) []*Node {
	b.Helper()
	nodes := make([]*Node, n)
	for i := range nodes {
		home := config.Home(filepath.Join(b.TempDir(), fmt.Sprint(i)))
		if _, _, err := identity.LoadOrCreateKeyFile(home.Key()); err != nil {
			b.Fatal(err)
		}
		cfg := config.Default()
		cfg.Listen = []string{"tcp://127.0.0.1:0"}
		cfg.Limits.MaxLinks = 2
		if i == 0 || i == n-1 {
			cfg.Limits.MaxLinks = 1
		}
		node, err := Open(home, cfg, benchLogger(b, i))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { node.Run(ctx); close(done) }()
		b.Cleanup(func() { cancel(); <-done })
		for {
			if _, err := os.Stat(home.Socket()); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		nodes[i] = node
	}
	for i := 1; i < n; i++ {
		prev, cur := nodes[i-1], nodes[i]
		var addr string
		var err error
		prev.loop.Call(func() { addr = prev.listen[0] })
		cur.loop.Call(func() { err = cur.core.Dial(prev.PeerID(), addr) })
		if err != nil {
			b.Fatal(err)
		}
		for !linked(cur, prev.PeerID()) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nodes
}

// benchLogger discards logs unless HUSH_BENCH_LOG names a directory,
// which then gets one debug log per node.
func benchLogger(b *testing.B, i int) *slog.Logger {
	dir := os.Getenv("HUSH_BENCH_LOG")
	if dir == "" {
		return slog.New(slog.DiscardHandler)
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-node%d.log", strings.ReplaceAll(b.Name(), "/", "_"), i)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func linked(n *Node, peer identity.PeerID) bool {
	up := false
	n.loop.Call(func() {
		for _, l := range n.core.LinkInfo() {
			up = up || l.Peer == peer
		}
	})
	return up
}
