package stealth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/proxy"
)

// fakeResolver maps names to targets; names ending in .gnu that are not in
// the map are not found, other names are not GNS names.
type fakeResolver struct {
	mu      sync.Mutex
	targets map[string]Target
	calls   int
}

func (r *fakeResolver) callCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

func (r *fakeResolver) ResolveService(_ context.Context, name string) (Target, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if t, ok := r.targets[name]; ok {
		return t, nil
	}
	if strings.HasSuffix(name, ".gnu") {
		return Target{}, ErrNotFound
	}
	return Target{}, ErrNotGNS
}

// fakeDialer reaches a target by dialling a local TCP address registered
// for its port name, and fails for a wrong secret as a stealth port would.
type fakeDialer struct {
	addrs  map[string]string
	secret [SecretSize]byte
}

func (d *fakeDialer) DialService(ctx context.Context, t Target) (net.Conn, error) {
	if t.Secret == nil || *t.Secret != d.secret {
		return nil, errors.New("no answer")
	}
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", d.addrs[t.Port])
}

func echoServer(t *testing.T) string { return backend(t, echo) }

func testSetup(t *testing.T) (*fakeResolver, *fakeDialer) {
	secret := [SecretSize]byte{1, 2, 3}
	r := &fakeResolver{targets: map[string]Target{
		"echo.alice.gnu": {Port: "echo", Secret: &secret, Expires: time.Now().Add(time.Hour)},
	}}
	d := &fakeDialer{addrs: map[string]string{"echo": echoServer(t)}, secret: secret}
	return r, d
}

func serveSOCKS(t *testing.T, r Resolver, d Dialer) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &SOCKSServer{Resolver: r, Dialer: d, Log: slog.New(slog.DiscardHandler), DialTimeout: 2 * time.Second}
	done := make(chan struct{})
	go func() { srv.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func TestSOCKSConnectsGNSName(t *testing.T) {
	r, d := testSetup(t)
	dialer, err := proxy.SOCKS5("tcp", serveSOCKS(t, r, d), nil, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := dialer.Dial("tcp", "echo.alice.gnu:80")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	payload := bytes.Repeat([]byte("hush"), 64<<10)
	go conn.Write(payload)
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(conn, got); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("echo through SOCKS: %v", err)
	}
}

func TestSOCKSReplyCodes(t *testing.T) {
	r, d := testSetup(t)
	addr := serveSOCKS(t, r, d)
	cases := []struct {
		name string
		host string
		code byte
	}{
		{"not a GNS name", "example.com", replyNotAllowed},
		{"unknown GNS name", "nothing.alice.gnu", replyHostUnreachable},
		{"IP address", "127.0.0.1", replyNotAllowed},
	}
	for _, c := range cases {
		if got := socksConnectCode(t, addr, c.host); got != c.code {
			t.Errorf("%s: reply code %d, want %d", c.name, got, c.code)
		}
	}
}

func TestSOCKSWrongSecretIsUnreachable(t *testing.T) {
	r, d := testSetup(t)
	d.secret = [SecretSize]byte{9}
	if got := socksConnectCode(t, serveSOCKS(t, r, d), "echo.alice.gnu"); got != replyHostUnreachable {
		t.Fatalf("reply code %d, want host unreachable", got)
	}
}

// socksConnectCode sends a raw CONNECT and returns the reply code.
func socksConnectCode(t *testing.T, addr, host string) byte {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	conn.Write([]byte{5, 1, 0})
	var method [2]byte
	if _, err := io.ReadFull(conn, method[:]); err != nil || method[1] != 0 {
		t.Fatalf("method reply %v, %v", method, err)
	}
	req := []byte{5, 1, 0}
	if ip := net.ParseIP(host); ip != nil {
		req = append(append(req, atypIPv4), ip.To4()...)
	} else {
		req = append(append(req, atypDomain, byte(len(host))), host...)
	}
	conn.Write(append(req, 0, 80))
	var reply [10]byte
	if _, err := io.ReadFull(conn, reply[:]); err != nil {
		t.Fatalf("reading reply: %v", err)
	}
	return reply[1]
}

func TestSOCKSRejectsAuthOnlyClient(t *testing.T) {
	r, d := testSetup(t)
	conn, err := net.Dial("tcp", serveSOCKS(t, r, d))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte{5, 1, 2}) // offers only username/password
	got, _ := io.ReadAll(conn)
	if !bytes.Equal(got, []byte{5, methodNoAcceptable}) {
		t.Fatalf("reply %x, want 05ff", got)
	}
}

func TestForwarderCarriesConnectionsAndReResolves(t *testing.T) {
	r, d := testSetup(t)
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	fw := &Forwarder{Name: "echo.alice.gnu", Resolver: r, Dialer: d, Log: slog.New(slog.DiscardHandler), Now: now}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { fw.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done }()

	roundTrip := func() {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte("ping"))
		buf := make([]byte, 4)
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("echo through forward: %q, %v", buf, err)
		}
	}
	roundTrip()
	roundTrip()
	if n := r.callCount(); n != 1 {
		t.Fatalf("resolved %d times for two connections within the record's lifetime, want 1", n)
	}
	clock.Add(int64(2 * time.Hour)) // the record expired
	roundTrip()
	if n := r.callCount(); n != 2 {
		t.Fatalf("resolved %d times after expiry, want 2", n)
	}
}

func TestForwarderClosesClientOnFailure(t *testing.T) {
	r, d := testSetup(t)
	fw := &Forwarder{Name: "missing.alice.gnu", Resolver: r, Dialer: d, Log: slog.New(slog.DiscardHandler)}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { fw.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done }()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(conn)
	if len(got) != 0 || err != nil {
		t.Fatalf("client got %q, %v; want a plain close", got, err)
	}
}

func FuzzSOCKSRequest(f *testing.F) {
	f.Add([]byte{5, 1, 0, 3, 4, 'a', '.', 'g', 'n', 0, 80})
	f.Add([]byte{5, 1, 0, 1, 127, 0, 0, 1, 0, 80})
	f.Add([]byte{5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 187})
	f.Add([]byte{5, 2, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := readRequest(bytes.NewReader(data))
		if err != nil {
			return
		}
		if req.isName && (len(req.host) == 0 || len(req.host) > 255) {
			t.Fatalf("name of length %d accepted", len(req.host))
		}
		readGreeting(bytes.NewReader(data))
	})
}
