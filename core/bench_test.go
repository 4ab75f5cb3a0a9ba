package core

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/transport"
)

// BenchmarkHandshake runs both sides of a full Noise IK handshake per
// operation on one goroutine, including the timestamp, replay and HELLO
// checks. It uses the same two peers throughout, so their static-static
// secret and HELLO signatures are cached after the first operation, as for
// a peer that reconnects.
func BenchmarkHandshake(b *testing.B) {
	benchmarkHandshake(b, false)
}

// BenchmarkHandshakeColdCaches clears the key and HELLO caches before each
// operation, as for a first contact with a new peer.
func BenchmarkHandshakeColdCaches(b *testing.B) {
	benchmarkHandshake(b, true)
}

func benchmarkHandshake(b *testing.B, cold bool) {
	a, r := testKey(b, 1), testKey(b, 2)
	ka, _ := newKeyring(a)
	kr, _ := newKeyring(r)
	helloA, helloR := newHelloCache(), newHelloCache()
	now := time.Unix(1900000000, 0)
	ownA, ownR := signedHello(b, a, now.Add(24*time.Hour)), signedHello(b, r, now.Add(24*time.Hour))
	replay := newReplayCache(1<<16, 2*time.Minute, time.Time{})
	random := &detRand{}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	startCPU := cpuTime(true)
	for b.Loop() {
		if cold {
			clear(ka.shared)
			clear(kr.shared)
			clear(ka.montgomery)
			clear(kr.montgomery)
			clear(helloA.verified)
			clear(helloR.verified)
		}
		now = now.Add(time.Microsecond)
		if err := handshakeOnce(ka, kr, helloA, helloR, replay, random, now, ownA, ownR, r.PeerID()); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpuTime(true)-startCPU)
}

// reportCPU adds the CPU time per operation to the benchmark's output and,
// for handshakes, the rate one core sustains at that cost.
func reportCPU(b *testing.B, used time.Duration) {
	if used <= 0 || b.N == 0 {
		return
	}
	perOp := float64(used.Nanoseconds()) / float64(b.N)
	b.ReportMetric(perOp, "cpu-ns/op")
	if b.Name() != "" && strings.HasPrefix(b.Name(), "BenchmarkHandshake") {
		b.ReportMetric(1e9/perOp, "ops/cpu-s")
	}
}

func handshakeOnce(ka, kr *keyring, helloA, helloR *helloCache, replay *replayCache, random *detRand, now time.Time, ownA, ownR []byte, responder identity.PeerID) error {
	hs, msg, err := ka.initiate(random, responder, now, ownA)
	if err != nil {
		return err
	}
	first, p, class := kr.readFirst(random, msg)
	if class == probeNone {
		class = replay.check(first.ephemeral, p.Sent, now)
	}
	if class == probeNone {
		class = kr.checkIdentity(first, p.Hello, helloR, responder, now)
	}
	if class != probeNone {
		return errorString("first message rejected: " + class.String())
	}
	_, reply, err := kr.respond(first, ownR)
	if err != nil {
		return err
	}
	_, err = hs.finish(ka, helloA, responder, reply, now)
	return err
}

type errorString string

func (e errorString) Error() string { return string(e) }

// benchMessageSize is the largest message Send takes; 64 KiB would exceed
// MaxMessageSize.
const benchMessageSize = MaxMessageSize

// benchWindow is how many messages may be in flight, 2 MiB with the default
// message size, well inside the default SendQueueBytes.
const benchWindow = 32

// creditRecorder returns one credit per received message.
type creditRecorder struct{ credits chan struct{} }

func (r *creditRecorder) LinkUp(identity.PeerID)                {}
func (r *creditRecorder) LinkDown(identity.PeerID)              {}
func (r *creditRecorder) Receive(_ identity.PeerID, msg []byte) { r.credits <- struct{}{} }

// BenchmarkLinkThroughput sends MaxMessageSize messages through Send
// between two COREs on loop.Real over TCP on 127.0.0.1.
func BenchmarkLinkThroughput(b *testing.B) {
	// The transport queue holds the whole window, as CORE's queue does, so
	// CORE's retry polling (sendRetryDelay) stays out of the measurement.
	tcpCfg := transport.TCPConfig{SendQueueBytes: 2 * benchWindow * benchMessageSize}
	a, r := startTCPPeerWith(b, 1, Config{}, tcpCfg), startTCPPeerWith(b, 2, Config{}, tcpCfg)
	defer a.stop()
	defer r.stop()
	linkTCP(b, a, r)
	credits := make(chan struct{}, benchWindow)
	r.loop.Call(func() {
		r.core.services = nil
		r.core.Register(ServiceTest, &creditRecorder{credits: credits})
	})
	for range benchWindow {
		credits <- struct{}{}
	}
	msg := make([]byte, benchMessageSize)
	b.SetBytes(benchMessageSize)
	b.ResetTimer()
	startCPU := cpuTime(false)
	for sent := 0; sent < b.N; {
		<-credits
		n := 1 + takeCredits(credits, b.N-sent-1)
		var err error
		a.loop.Call(func() {
			for range n {
				if err = a.core.Send(r.id, ServiceTest, msg); err != nil {
					return
				}
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	for range benchWindow {
		<-credits
	}
	reportCPU(b, cpuTime(false)-startCPU)
}

func takeCredits(credits chan struct{}, limit int) int {
	n := 0
	for n < limit {
		select {
		case <-credits:
			n++
		default:
			return n
		}
	}
	return n
}

// BenchmarkLinkThroughputBaseline moves the same bytes over plain TCP on
// 127.0.0.1 with only ChaCha20-Poly1305 seal and open, one sending and one
// receiving goroutine, and the same window: the bound CORE is measured
// against.
func BenchmarkLinkThroughputBaseline(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	key := make([]byte, chacha20poly1305.KeySize)
	credits := make(chan struct{}, benchWindow)
	done := make(chan error, 1)
	go func() { done <- baselineReceive(ln, key, credits) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	aead, _ := chacha20poly1305.New(key)
	msg := make([]byte, benchMessageSize)
	buf := make([]byte, 0, 4+benchMessageSize+aead.Overhead())
	var nonce [chacha20poly1305.NonceSize]byte
	for range benchWindow {
		credits <- struct{}{}
	}

	b.SetBytes(benchMessageSize)
	b.ResetTimer()
	startCPU := cpuTime(false)
	for i := range b.N {
		<-credits
		binary.BigEndian.PutUint64(nonce[4:], uint64(i))
		buf = binary.BigEndian.AppendUint32(buf[:0], uint32(benchMessageSize+aead.Overhead()))
		buf = aead.Seal(buf, nonce[:], msg, nil)
		if _, err := conn.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	for range benchWindow {
		<-credits
	}
	reportCPU(b, cpuTime(false)-startCPU)

	conn.Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

func baselineReceive(ln net.Listener, key []byte, credits chan<- struct{}) error {
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	aead, _ := chacha20poly1305.New(key)
	r := bufio.NewReaderSize(conn, 256<<10)
	var nonce [chacha20poly1305.NonceSize]byte
	var header [4]byte
	for i := uint64(0); ; i++ {
		if _, err := io.ReadFull(r, header[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		frame := make([]byte, binary.BigEndian.Uint32(header[:]))
		if _, err := io.ReadFull(r, frame); err != nil {
			return err
		}
		binary.BigEndian.PutUint64(nonce[4:], i)
		if _, err := aead.Open(frame[:0], nonce[:], frame, nil); err != nil {
			return err
		}
		credits <- struct{}{}
	}
}
