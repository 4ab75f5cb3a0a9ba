package stealth

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/store"
)

// socksExchange sends raw bytes to a SOCKS server, half-closes, and
// returns every byte the server sent before it closed the connection.
func socksExchange(t *testing.T, addr string, send []byte) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(handshakeTimeout + 5*time.Second))
	conn.Write(send)
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("server did not close after %x: %v", send, err)
	}
	return got
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// connectRequest builds a CONNECT request with the given address type and
// address bytes, after a greeting that offers no authentication.
func connectRequest(cmd, atyp byte, addr ...byte) []byte {
	b := []byte{5, 1, 0, 5, cmd, 0, atyp}
	return append(append(b, addr...), 0, 80)
}

func domain(name string) []byte { return append([]byte{byte(len(name))}, name...) }

func TestSOCKSMalformedInputGetsReplyOrClose(t *testing.T) {
	r, d := testSetup(t)
	addr := serveSOCKS(t, r, d)
	method := []byte{5, 0}
	reply := func(code byte) []byte { return append(append([]byte{}, method...), appendReply(nil, code)...) }
	cases := []struct {
		name string
		send []byte
		want []byte
	}{
		{"nothing", nil, nil},
		{"truncated greeting", []byte{5}, nil},
		{"SOCKS4 greeting", []byte{4, 1, 0, 80, 127, 0, 0, 1, 0}, nil},
		{"zero methods", []byte{5, 0}, nil},
		{"methods cut short", []byte{5, 255, 0, 1}, nil},
		{"auth only", []byte{5, 2, 1, 2}, []byte{5, methodNoAcceptable}},
		{"request cut short", []byte{5, 1, 0, 5, 1}, method},
		{"BIND", connectRequest(2, atypDomain, domain("echo.alice.gnu")...), reply(replyCommandNotSupported)},
		{"UDP ASSOCIATE", connectRequest(3, atypDomain, domain("echo.alice.gnu")...), reply(replyCommandNotSupported)},
		{"unknown command", connectRequest(0xff, atypIPv4, 1, 2, 3, 4), reply(replyCommandNotSupported)},
		{"IPv4", connectRequest(1, atypIPv4, 127, 0, 0, 1), reply(replyNotAllowed)},
		{"IPv6", connectRequest(1, atypIPv6, net.IPv6loopback...), reply(replyNotAllowed)},
		{"IPv6 cut short", []byte{5, 1, 0, 5, 1, 0, atypIPv6, 0, 0}, method},
		{"address type 5", connectRequest(1, 5, 1, 2, 3, 4), reply(replyAddressNotSupported)},
		{"empty name", connectRequest(1, atypDomain, 0), reply(replyAddressNotSupported)},
		{"name cut short", []byte{5, 1, 0, 5, 1, 0, atypDomain, 200, 'a', 'b'}, method},
		{"port cut short", []byte{5, 1, 0, 5, 1, 0, atypDomain, 1, 'a', 0}, method},
		{"reserved byte set", []byte{5, 1, 0, 5, 1, 7, atypIPv4, 1, 2, 3, 4, 0, 80}, reply(replyAddressNotSupported)},
		{"version 4 request", []byte{5, 1, 0, 4, 1, 0, atypIPv4, 1, 2, 3, 4, 0, 80}, reply(replyAddressNotSupported)},
		{"not a GNS name", connectRequest(1, atypDomain, domain("example.com")...), reply(replyNotAllowed)},
		{"control characters", connectRequest(1, atypDomain, domain("a\x00b\r\n\x1b[2J.gnu")...), reply(replyHostUnreachable)},
		{"255-byte name", connectRequest(1, atypDomain, domain(strings.Repeat("a", 251)+".gnu")...), reply(replyHostUnreachable)},
		{"invalid UTF-8", connectRequest(1, atypDomain, domain("\xff\xfe.gnu")...), reply(replyHostUnreachable)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := socksExchange(t, addr, c.send); !bytes.Equal(got, c.want) {
				t.Fatalf("server sent %x, want %x", got, c.want)
			}
		})
	}
}

func TestSOCKSSlowClientsAreDropped(t *testing.T) {
	r, d := testSetup(t)
	addr := serveSOCKS(t, r, d)
	before := runtime.NumGoroutine()
	stalls := [][]byte{{5}, {5, 1, 0}, {5, 1, 0, 5, 1, 0, atypDomain, 20, 'e'}}
	var conns []net.Conn
	for i := range 60 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write(stalls[i%len(stalls)]) // then nothing, never half-closing
		conns = append(conns, conn)
	}
	for _, conn := range conns {
		conn.SetReadDeadline(time.Now().Add(handshakeTimeout + 10*time.Second))
		got, err := io.ReadAll(conn)
		if err != nil {
			t.Fatalf("slow client not dropped: %v", err)
		}
		if len(got) > 2 {
			t.Fatalf("slow client got %x, want at most the method choice", got)
		}
	}
	waitForGoroutines(t, before)
}

// serveForward runs a Forwarder to the echo service and returns its
// address.
func serveForward(t *testing.T, r Resolver, d Dialer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fw := &Forwarder{Name: "echo.alice.gnu", Resolver: r, Dialer: d, Log: slog.New(slog.DiscardHandler), DialTimeout: 2 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { fw.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func TestForwarderManyConnectionsLeaveNoGoroutines(t *testing.T) {
	r, d := testSetup(t)
	addr := serveForward(t, r, d)
	before := runtime.NumGoroutine()
	const conns = 200
	payload := bytes.Repeat([]byte("x"), 64<<10)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- echoOnce(addr, payload)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitForGoroutines(t, before)
}

// echoOnce sends payload through addr, half-closes and checks that the
// same bytes come back before the close.
func echoOnce(addr string, payload []byte) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() { conn.Write(payload); conn.(*net.TCPConn).CloseWrite() }()
	got, err := io.ReadAll(conn)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, payload) {
		return errors.New("echo through the forward returned other bytes")
	}
	return nil
}

func waitForGoroutines(t *testing.T, limit int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > limit+5 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left, %d before", runtime.NumGoroutine(), limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// backend accepts connections on a local port and hands each to serve.
func backend(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

func TestForwarderHalfCloseCarriesLateReply(t *testing.T) {
	r, d := testSetup(t)
	d.addrs["echo"] = backend(t, func(c net.Conn) {
		defer c.Close()
		req, _ := io.ReadAll(c) // the reply comes only after the request's end
		c.Write(append([]byte("got "), req...))
	})
	conn, err := net.Dial("tcp", serveForward(t, r, d))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	conn.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("reading the reply after half-close: %v", err)
	}
	if string(got) != "got GET / HTTP/1.0\r\n\r\n" {
		t.Fatalf("reply after half-close: %q", got)
	}
}

func TestForwarderBackendResetClosesClient(t *testing.T) {
	r, d := testSetup(t)
	d.addrs["echo"] = backend(t, func(c net.Conn) {
		c.Read(make([]byte, 1))
		c.(*net.TCPConn).SetLinger(0)
		c.Close() // sends a reset
	})
	before := runtime.NumGoroutine()
	conn, err := net.Dial("tcp", serveForward(t, r, d))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	conn.Write([]byte("x"))
	if _, err := io.ReadAll(conn); err != nil && !isReset(err) {
		t.Fatalf("client not closed after the backend reset: %v", err)
	}
	conn.Close()
	waitForGoroutines(t, before)
}

// openRegistry opens a registry in a fresh database and returns both.
func openRegistry(t *testing.T) (*Registry, *bolt.DB) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg, err := OpenRegistry(db)
	if err != nil {
		t.Fatal(err)
	}
	return reg, db
}

func putRaw(t testing.TB, db *bolt.DB, key string, value []byte) {
	err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketExposed).Put([]byte(key), value)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegistryCorruptEntryKeepsOthers stores a good service next to an
// entry that does not decode: List still returns the good one with an
// error naming the bad one, and Delete removes the bad one.
func TestRegistryCorruptEntryKeepsOthers(t *testing.T) {
	reg, db := openRegistry(t)
	secret, _ := NewSecret(rand.Reader)
	good := Service{Name: "ssh", To: "127.0.0.1:22", Zone: "alice", Secret: secret}
	if err := reg.Put(good); err != nil {
		t.Fatal(err)
	}
	putRaw(t, db, "broken", []byte("not json{"))

	listed, err := reg.List()
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("List over a corrupt entry: %v, want a corrupt-entry error", err)
	}
	if len(listed) != 1 || listed[0].Name != "ssh" {
		t.Fatalf("List over a corrupt entry returned %+v, want the good service", listed)
	}
	if _, err := reg.Get("broken"); err == nil {
		t.Fatal("Get of a corrupt entry succeeded")
	}
	got, err := reg.Get("ssh")
	if err != nil {
		t.Fatalf("Get of the good entry next to a corrupt one: %v", err)
	}
	if *got.Secret != *secret {
		t.Fatal("good entry next to a corrupt one has another secret")
	}
	if got.To != good.To {
		t.Fatalf("good entry next to a corrupt one has To %q, want %q", got.To, good.To)
	}

	if err := reg.Delete("broken"); err != nil {
		t.Fatalf("Delete of a corrupt entry: %v", err)
	}
	list, err := reg.List()
	if err != nil {
		t.Fatalf("List after deleting the corrupt entry: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("List after deleting the corrupt entry: %d services, want 1", len(list))
	}
}

func TestRegistryRejectsBadServices(t *testing.T) {
	reg, _ := openRegistry(t)
	secret := &[SecretSize]byte{1}
	bad := []Service{
		{Name: "ssh\n", To: "127.0.0.1:22", Secret: secret},
		{Name: "a b", To: "127.0.0.1:22", Secret: secret},
		{Name: "ssh", To: "", Secret: secret},
		{Name: "ssh", To: ":22", Secret: secret},
		{Name: "ssh", To: "127.0.0.1:", Secret: secret},
		{Name: "ssh", To: "[::1", Secret: secret},
		{Name: "ssh", To: "127.0.0.1:22:33", Secret: secret},
		{Name: strings.Repeat("é", 32), To: "127.0.0.1:22", Secret: secret},
	}
	for _, s := range bad {
		if err := reg.Put(s); err == nil {
			t.Errorf("Put(%q, %q) accepted", s.Name, s.To)
		}
	}
	list, err := reg.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 0 {
		t.Fatalf("rejected services were stored: %v", list)
	}
}

func FuzzRegistryEntry(f *testing.F) {
	f.Add([]byte(`{"name":"ssh","to":"127.0.0.1:22","zone":"alice","public":false,"secret":[1,2,3]}`))
	f.Add([]byte(`{"name":"ssh","secret":null,"previous":[` + strings.Repeat("255,", 40) + `0]}`))
	f.Add([]byte(`{"rotated":"not a time","previous_until":1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})
	db, err := store.Open(filepath.Join(f.TempDir(), "hush.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	reg, err := OpenRegistry(db)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		putRaw(t, db, "entry", data)
		reg.Get("entry")
		reg.List()
		if err := reg.Delete("entry"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	})
}
