package transport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTCPFramesBothWays(t *testing.T) {
	a, b := newPeer(t, TCPConfig{}), newPeer(t, TCPConfig{})
	dialled, accepted := connect(t, a, b)

	if dialled.Inbound() || !accepted.Inbound() {
		t.Errorf("Inbound: dialled %v, accepted %v", dialled.Inbound(), accepted.Inbound())
	}
	if dialled.LocalAddr() != accepted.RemoteAddr() || dialled.RemoteAddr() != accepted.LocalAddr() {
		t.Errorf("addresses do not mirror: %s->%s and %s->%s",
			dialled.LocalAddr(), dialled.RemoteAddr(), accepted.LocalAddr(), accepted.RemoteAddr())
	}
	for i := range 50 {
		a.send(t, dialled, []byte(fmt.Sprintf("a to b %d", i)))
		b.send(t, accepted, []byte(fmt.Sprintf("b to a %d", i)))
	}
	for i := range 50 {
		expectFrame(t, b.rec, accepted, fmt.Sprintf("a to b %d", i))
		expectFrame(t, a.rec, dialled, fmt.Sprintf("b to a %d", i))
	}
	if s := a.tcp.Stats(); s.Dialled != 1 || s.FramesOut != 50 || s.FramesIn != 50 || s.Open != 1 {
		t.Errorf("dialler stats %+v", s)
	}
	if s := b.tcp.Stats(); s.Accepted != 1 {
		t.Errorf("listener stats %+v", s)
	}
}

func expectFrame(t *testing.T, rec *recorder, c Conn, want string) {
	t.Helper()
	ev := rec.next(t, evReceived)
	if ev.conn != c || string(ev.frame) != want {
		t.Fatalf("received %q on %v, want %q on %v", ev.frame, ev.conn, want, c)
	}
}

func TestTCPMaximalFrames(t *testing.T) {
	a, b := newPeer(t, TCPConfig{}), newPeer(t, TCPConfig{})
	dialled, accepted := connect(t, a, b)
	frames := make([][]byte, 8)
	for i := range frames {
		frames[i] = bytes.Repeat([]byte{byte(i + 1)}, MaxFrameSize)
		a.send(t, dialled, frames[i])
	}
	for i := range frames {
		ev := b.rec.next(t, evReceived)
		if !bytes.Equal(ev.frame, frames[i]) {
			t.Fatalf("frame %d: got %d bytes starting %x", i, len(ev.frame), ev.frame[:4])
		}
	}
	b.send(t, accepted, frames[0])
	if ev := a.rec.next(t, evReceived); !bytes.Equal(ev.frame, frames[0]) {
		t.Fatalf("reply frame differs: %d bytes", len(ev.frame))
	}
}

func TestTCPSendRejectsBadLengths(t *testing.T) {
	a, b := newPeer(t, TCPConfig{}), newPeer(t, TCPConfig{})
	dialled, _ := connect(t, a, b)
	var empty, long error
	a.call(func() {
		empty = dialled.Send(nil)
		long = dialled.Send(make([]byte, MaxFrameSize+1))
	})
	if !errors.Is(empty, ErrEmptyFrame) || !errors.Is(long, ErrFrameTooLong) {
		t.Errorf("empty: %v, oversize: %v", empty, long)
	}
}

// rawDial connects a plain socket to a transport's listener, playing a
// prober that does not speak the protocol.
func rawDial(t *testing.T, p *peer) (*net.TCPConn, Conn) {
	t.Helper()
	addr := p.listen(t)
	nc, err := net.Dial("tcp", strings.TrimPrefix(addr, "tcp://"))
	if err != nil {
		t.Fatalf("raw dial: %v", err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc.(*net.TCPConn), p.rec.next(t, evAccepted).conn
}

// expectSilence checks that nothing arrives on nc for a while.
func expectSilence(t *testing.T, nc net.Conn, wait time.Duration) {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(wait))
	n, err := nc.Read(make([]byte, 1))
	var netErr net.Error
	if n != 0 || !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("expected silence, read %d bytes, err %v", n, err)
	}
	nc.SetReadDeadline(time.Time{})
}

func TestTCPInvalidPrefixDiscards(t *testing.T) {
	for name, prefix := range map[string]uint32{"oversize": MaxFrameSize + 1, "zero": 0} {
		t.Run(name, func(t *testing.T) {
			p := newPeer(t, TCPConfig{})
			nc, conn := rawDial(t, p)
			probe := binary.BigEndian.AppendUint32(nil, prefix)
			probe = append(probe, bytes.Repeat([]byte("junk"), 50_000)...)
			if _, err := nc.Write(probe); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "probe drained", func() bool {
				return p.tcp.Stats().BytesDiscarded >= uint64(len(probe)-FrameHeaderSize)
			})
			var sendErr error
			p.call(func() { sendErr = conn.Send([]byte("hello")) })
			if !errors.Is(sendErr, ErrClosed) {
				t.Errorf("Send on a discarding conn: got %v, want ErrClosed", sendErr)
			}
			expectSilence(t, nc, 200*time.Millisecond)
			if s := p.tcp.Stats(); s.InvalidPrefixes != 1 || s.FramesIn != 0 || s.BytesOut != 0 {
				t.Errorf("stats %+v", s)
			}
			nc.Close()
			if ev := p.rec.next(t, evClosed); ev.conn != conn || ev.err == nil {
				t.Errorf("Closed on %v with err %v, want the conn and an error", ev.conn, ev.err)
			}
		})
	}
}

func TestTCPInboundConnIsSilent(t *testing.T) {
	p := newPeer(t, TCPConfig{})
	nc, _ := rawDial(t, p)
	expectSilence(t, nc, 200*time.Millisecond)
}

func TestTCPDiscardThenCloseSendsFIN(t *testing.T) {
	p := newPeer(t, TCPConfig{})
	nc, conn := rawDial(t, p)
	p.call(conn.Discard)
	// Input that is still unread when the socket closes would make the
	// kernel send RST, so this checks that Close drains first.
	if _, err := nc.Write(bytes.Repeat([]byte{0, 0, 0, 9, 'p', 'r', 'o', 'b', 'e'}, 20_000)); err != nil {
		t.Fatal(err)
	}
	p.call(conn.Close)

	nc.SetReadDeadline(time.Now().Add(waitTimeout))
	n, err := io.Copy(io.Discard, nc)
	if err != nil || n != 0 {
		t.Fatalf("client read %d bytes, err %v; want a clean EOF", n, err)
	}
	if errors.Is(err, syscall.ECONNRESET) {
		t.Fatal("connection was reset")
	}
	nc.Close()
	if ev := p.rec.next(t, evClosed); ev.err != nil {
		t.Errorf("Closed after local Close: err %v, want nil", ev.err)
	}
	if s := p.tcp.Stats(); s.FramesIn != 0 || s.BytesOut != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestTCPQueueFullAndCloseFlushes(t *testing.T) {
	p := newPeer(t, TCPConfig{SendQueueBytes: 4 * (FrameHeaderSize + MaxFrameSize)})
	nc, conn := rawDial(t, p)
	frame := bytes.Repeat([]byte{7}, MaxFrameSize)

	// The client does not read, so socket buffers fill and then the queue.
	var sent int
	var sendErr error
	for sendErr == nil && sent < 100_000 {
		p.call(func() {
			if sendErr = conn.Send(frame); sendErr == nil {
				sent++
			}
		})
	}
	if !errors.Is(sendErr, ErrQueueFull) {
		t.Fatalf("after %d frames: got %v, want ErrQueueFull", sent, sendErr)
	}
	p.call(conn.Close)

	fr := NewFrameReader(nc)
	for i := range sent {
		got, err := fr.ReadFrame()
		if err != nil || !bytes.Equal(got, frame) {
			t.Fatalf("frame %d of %d: %d bytes, err %v", i, sent, len(got), err)
		}
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Fatalf("after %d frames: got %v, want io.EOF", sent, err)
	}
	nc.Close()
	p.rec.next(t, evClosed)
}

func TestTCPIdleTimeout(t *testing.T) {
	p := newPeer(t, TCPConfig{IdleTimeout: 200 * time.Millisecond})
	nc, conn := rawDial(t, p)
	ev := p.rec.next(t, evClosed)
	var netErr net.Error
	if ev.conn != conn || !errors.As(ev.err, &netErr) || !netErr.Timeout() {
		t.Fatalf("Closed on %v with err %v, want a timeout", ev.conn, ev.err)
	}
	nc.SetReadDeadline(time.Now().Add(waitTimeout))
	if n, err := io.Copy(io.Discard, nc); n != 0 || err != nil {
		t.Fatalf("client read %d bytes, err %v; want a clean EOF", n, err)
	}
}

func TestTCPPeerCloseReported(t *testing.T) {
	a, b := newPeer(t, TCPConfig{}), newPeer(t, TCPConfig{})
	dialled, accepted := connect(t, a, b)
	for i := range 100 {
		b.send(t, accepted, []byte(fmt.Sprint(i)))
	}
	b.call(accepted.Close)

	for i := range 100 {
		expectFrame(t, a.rec, dialled, fmt.Sprint(i))
	}
	if ev := a.rec.next(t, evClosed); !errors.Is(ev.err, ErrClosed) {
		t.Errorf("remote side: Closed with %v, want ErrClosed", ev.err)
	}
	if ev := b.rec.next(t, evClosed); ev.err != nil {
		t.Errorf("local side: Closed with %v, want nil", ev.err)
	}
}

func TestTCPNoReceivedAfterClose(t *testing.T) {
	a, b := newPeer(t, TCPConfig{}), newPeer(t, TCPConfig{})
	dialled, accepted := connect(t, a, b)
	for i := range 2000 {
		// Sends fail once the closing side's FIN arrives; that is expected.
		a.call(func() { dialled.Send([]byte(fmt.Sprint(i))) })
		if i == 1000 {
			b.call(func() {
				accepted.Close()
				b.rec.events <- event{kind: evMark}
			})
		}
	}
	for ev := range b.rec.events {
		if ev.kind == evMark {
			break
		}
	}
	if ev := b.rec.next(t, evClosed); ev.conn != accepted || ev.err != nil {
		t.Fatalf("Closed on %v with %v, want the conn and nil", ev.conn, ev.err)
	}
	b.mark()
	b.rec.next(t, evMark)
}

func TestTCPTransportCloseStopsEverything(t *testing.T) {
	a, b := newPeer(t, TCPConfig{}), newPeer(t, TCPConfig{})
	addr := b.listen(t)
	conns := map[Conn]bool{}
	for range 3 {
		conns[a.dial(t, addr)] = true
		b.rec.next(t, evAccepted)
	}
	a.call(func() {
		a.tcp.Dial(addr, a.rec.dialled)
		a.tcp.Close()
		a.tcp.Dial(addr, a.rec.dialled)
	})
	a.tcp.Wait()

	closed := map[Conn]bool{}
	var dialResults, dialErrors int
	for dialResults < 2 || len(closed) < len(conns) {
		ev := a.rec.nextAny(t)
		switch ev.kind {
		case evClosed:
			if closed[ev.conn] {
				t.Fatalf("second Closed event for %v", ev.conn)
			}
			closed[ev.conn] = true
		case evDialled:
			// The first dial may finish before Close; then Close closes it.
			dialResults++
			if ev.err != nil {
				dialErrors++
			} else {
				conns[ev.conn] = true
			}
		default:
			t.Fatalf("unexpected %v event, err %v", ev.kind, ev.err)
		}
	}
	if dialErrors == 0 {
		t.Error("dial after Close succeeded")
	}
	if s := a.tcp.Stats(); s.Open != 0 {
		t.Errorf("open conns after Wait: %d", s.Open)
	}
	var err error
	a.call(func() { _, err = a.tcp.Listen("tcp://127.0.0.1:0") })
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Listen after Close: got %v, want ErrClosed", err)
	}
}

func TestTCPDialErrors(t *testing.T) {
	p := newPeer(t, TCPConfig{})
	for _, addr := range []string{"mem://3", "tcp:/nohost", "tcp://127.0.0.1:1"} {
		p.call(func() { p.tcp.Dial(addr, p.rec.dialled) })
		if ev := p.rec.next(t, evDialled); ev.err == nil || ev.conn != nil {
			t.Errorf("dial %s: conn %v, err %v; want an error", addr, ev.conn, ev.err)
		}
	}
}

// fillUntilBlocked sends maximal frames to a peer that does not read, until
// the send queue has stayed full for hold, so the writer is stuck in a
// write. It stops early when the conn fails.
func fillUntilBlocked(t *testing.T, p *peer, conn Conn, hold time.Duration) {
	t.Helper()
	frame := make([]byte, MaxFrameSize)
	deadline := time.Now().Add(waitTimeout)
	var fullSince time.Time
	for time.Now().Before(deadline) {
		var err error
		p.call(func() { err = conn.Send(frame) })
		switch {
		case errors.Is(err, ErrClosed):
			return
		case err == nil:
			fullSince = time.Time{}
		case !errors.Is(err, ErrQueueFull):
			t.Fatalf("Send: %v", err)
		case fullSince.IsZero():
			fullSince = time.Now()
		case time.Since(fullSince) >= hold:
			return
		default:
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Fatal("send queue never stayed full")
}

func TestTCPWriteTimeoutFailsConn(t *testing.T) {
	p := newPeer(t, TCPConfig{WriteTimeout: 200 * time.Millisecond})
	_, conn := rawDial(t, p)
	fillUntilBlocked(t, p, conn, time.Second)

	ev := p.rec.next(t, evClosed)
	var netErr net.Error
	if ev.conn != conn || !errors.As(ev.err, &netErr) || !netErr.Timeout() {
		t.Fatalf("Closed on %v with %v, want a write timeout", ev.conn, ev.err)
	}
}

func TestTCPCloseFlushIsBounded(t *testing.T) {
	p := newPeer(t, TCPConfig{WriteTimeout: 2 * time.Second, DrainTimeout: 100 * time.Millisecond})
	_, conn := rawDial(t, p)
	fillUntilBlocked(t, p, conn, 200*time.Millisecond)
	p.call(conn.Close)

	// The client never reads, so only the write deadline ends the flush.
	if ev := p.rec.next(t, evClosed); ev.conn != conn || ev.err != nil {
		t.Fatalf("Closed on %v with %v, want the conn and nil", ev.conn, ev.err)
	}
}

func TestTCPInvalidPrefixAfterValidFrames(t *testing.T) {
	p := newPeer(t, TCPConfig{})
	nc, conn := rawDial(t, p)
	stream, _ := AppendFrame(nil, []byte("first"))
	stream, _ = AppendFrame(stream, []byte("second"))
	stream = binary.BigEndian.AppendUint32(stream, MaxFrameSize+1)
	stream, _ = AppendFrame(stream, []byte("hidden behind the bad prefix"))
	if _, err := nc.Write(stream); err != nil {
		t.Fatal(err)
	}

	expectFrame(t, p.rec, conn, "first")
	expectFrame(t, p.rec, conn, "second")
	waitFor(t, "invalid prefix counted", func() bool { return p.tcp.Stats().InvalidPrefixes == 1 })
	expectSilence(t, nc, 100*time.Millisecond)
	nc.Close()
	if ev := p.rec.next(t, evClosed); ev.conn != conn {
		t.Errorf("Closed on %v, want the conn", ev.conn)
	}
}
