package node

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/hush-overlay/hush/stealth"
)

// TestShutEndsSessions serves a port whose listener hands out one end of
// a pipe per session, and checks that shutting the port (as removing the
// service does) closes the sessions it forwards, not only the listener.
func TestShutEndsSessions(t *testing.T) {
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	go func() {
		for {
			c, err := backend.Accept()
			if err != nil {
				return
			}
			go io.Copy(c, c) // echo, never closes on its own
		}
	}()

	l := &pipeListener{conns: make(chan net.Conn, 1), done: make(chan struct{})}
	e := &exposer{n: &Node{ctx: t.Context(), log: slog.New(slog.DiscardHandler)}}
	p := &exposedPort{svc: stealth.Service{Name: "echo", To: backend.Addr().String()}, l: l, sessions: make(map[net.Conn]bool)}
	go e.serve(p)

	client, server := net.Pipe()
	l.conns <- server
	if _, err := client.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(client, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo before shut: %q, %v", buf, err)
	}

	p.shut()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(buf); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("session still open after shut: read err %v", err)
	}
}

// pipeListener is a cadet.Listener that accepts the connections sent to
// it.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	select {
	case <-l.done:
	default:
		close(l.done)
	}
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{} }

// TestRecordLifetimeRelativeOnly accepts relative lifetimes and rejects
// "never" and fixed dates, with which no rotation could end an old
// secret.
func TestRecordLifetimeRelativeOnly(t *testing.T) {
	if d, err := recordLifetime("15m"); err != nil || d != 15*time.Minute {
		t.Errorf("15m: %v, %v", d, err)
	}
	for _, expire := range []string{"never", "2030-01-01T00:00:00Z", "soon"} {
		if _, err := recordLifetime(expire); err == nil {
			t.Errorf("%s: accepted", expire)
		}
	}
}
