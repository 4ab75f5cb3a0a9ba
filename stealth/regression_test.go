package stealth

import (
	"context"
	"io"
	"log/slog"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// oneTarget resolves every name to the port "echo".
type oneTarget struct{}

func (oneTarget) ResolveService(context.Context, string) (Target, error) {
	return Target{Port: "echo", Expires: time.Now().Add(time.Hour)}, nil
}

// slowDialer dials addr after delay, as a CADET open over a long path or
// a first GNS lookup through the DHT can take.
type slowDialer struct {
	addr  string
	delay time.Duration
}

func (d slowDialer) DialService(ctx context.Context, _ Target) (net.Conn, error) {
	select {
	case <-time.After(d.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", d.addr)
}

// echo sends back what c receives until c ends.
func echo(c net.Conn) { io.Copy(c, c); c.Close() }

// TestSOCKSReplyAfterSlowDial dials for 11 s, longer than the SOCKS
// handshake timeout: the success reply must still reach the client.
func TestSOCKSReplyAfterSlowDial(t *testing.T) {
	srv := &SOCKSServer{Resolver: oneTarget{}, Dialer: slowDialer{backend(t, echo), 11 * time.Second}, Log: slog.New(slog.DiscardHandler)}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, ln)
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	conn.Write([]byte{5, 1, 0})
	conn.Write(append([]byte{5, 1, 0, 3, 14}, "echo.alice.gnu\x00\x50"...))
	var method [2]byte
	io.ReadFull(conn, method[:])
	var reply [10]byte
	_, err = io.ReadFull(conn, reply[:])
	if err != nil || reply[1] != 0 {
		t.Fatalf("no success reply after an 11 s dial: %x, %v", reply, err)
	}
}

// TestForwarderServeReturnsOnCancel ends Serve's context while a client
// holds an idle connection: Serve must close it and return, so that
// `hush forward` and `hush socks` stop on SIGINT.
func TestForwarderServeReturnsOnCancel(t *testing.T) {
	fw := &Forwarder{Name: "echo.alice.gnu", Resolver: oneTarget{}, Dialer: slowDialer{backend(t, echo), 0}, Log: slog.New(slog.DiscardHandler)}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { fw.Serve(ctx, ln); close(done) }()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("x"))
	io.ReadFull(conn, make([]byte, 1))
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running 5 s after its context ended, held by one idle connection")
	}
}

// flakyListener fails its first Accept with EMFILE, as a process out of
// file descriptors does, then accepts normally.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

// TestServeSurvivesEMFILE fails one Accept with EMFILE, as a burst of
// connections can: Serve must wait and go on accepting.
func TestServeSurvivesEMFILE(t *testing.T) {
	fw := &Forwarder{Name: "echo.alice.gnu", Resolver: oneTarget{}, Dialer: slowDialer{backend(t, echo), 0}, Log: slog.New(slog.DiscardHandler)}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fw.Serve(ctx, &flakyListener{Listener: ln}) }()
	select {
	case err := <-done:
		t.Fatalf("Serve returned after one EMFILE: %v", err)
	case <-time.After(2 * time.Second):
	}
}

// TestIdleConnectionsStaySmall opens 400 forwarded connections that each
// carry one byte and then wait: each must hold far less than the two
// 128 KiB copy buffers of a bulk transfer.
func TestIdleConnectionsStaySmall(t *testing.T) {
	fw := &Forwarder{Name: "echo.alice.gnu", Resolver: oneTarget{}, Dialer: slowDialer{backend(t, echo), 0}, Log: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go fw.Serve(ctx, ln)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const idle = 400
	var conns []net.Conn
	for range idle {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("x"))
		io.ReadFull(c, make([]byte, 1))
		conns = append(conns, c)
	}

	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perConn := (int64(after.HeapInuse) - int64(before.HeapInuse)) / idle
	t.Logf("%d idle connections: %d KiB heap each, %d goroutines", idle, perConn>>10, runtime.NumGoroutine())
	for _, c := range conns {
		c.Close()
	}
	if perConn > 64<<10 {
		t.Fatalf("an idle connection pins %d KiB", perConn>>10)
	}
}

// TestResolveTimeoutIsHostUnreachable checks the SOCKS reply to a name
// whose lookup runs out of time: host unreachable (0x04), as for a name
// that is not found, not a general failure.
func TestResolveTimeoutIsHostUnreachable(t *testing.T) {
	if got := resolveReplyCode(context.DeadlineExceeded); got != 0x04 {
		t.Fatalf("reply code %#x, want 0x04", got)
	}
}
