package transport

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait for an event. It is generous because the
// race detector on a loaded machine slows everything down.
const waitTimeout = 10 * time.Second

type eventKind int

const (
	evAccepted eventKind = iota
	evReceived
	evClosed
	evDialled
	evMark // a marker the test posts itself, to order events around it
)

func (k eventKind) String() string {
	return [...]string{"accepted", "received", "closed", "dialled", "mark"}[k]
}

type event struct {
	kind  eventKind
	conn  Conn
	frame []byte
	err   error
}

// recorder is a Handler that copies every event into a channel. It runs on
// the loop, so the channel order is the loop order.
type recorder struct{ events chan event }

func newRecorder() *recorder { return &recorder{events: make(chan event, 1<<16)} }

func (r *recorder) Accepted(c Conn) { r.events <- event{kind: evAccepted, conn: c} }
func (r *recorder) Received(c Conn, frame []byte) {
	r.events <- event{kind: evReceived, conn: c, frame: frame}
}
func (r *recorder) Closed(c Conn, err error)  { r.events <- event{kind: evClosed, conn: c, err: err} }
func (r *recorder) dialled(c Conn, err error) { r.events <- event{kind: evDialled, conn: c, err: err} }

// nextAny returns the next event of any kind.
func (r *recorder) nextAny(t testing.TB) event {
	t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case <-time.After(waitTimeout):
		t.Fatalf("no event within %v", waitTimeout)
		return event{}
	}
}

// next returns the next event and fails the test unless it is of kind want.
func (r *recorder) next(t testing.TB, want eventKind) event {
	t.Helper()
	select {
	case ev := <-r.events:
		if ev.kind != want {
			t.Fatalf("got event %v (err %v), want %v", ev.kind, ev.err, want)
		}
		return ev
	case <-time.After(waitTimeout):
		t.Fatalf("no %v event within %v", want, waitTimeout)
		return event{}
	}
}

// peer is one TCP transport with its own running loop.
type peer struct {
	loop *loop.Real
	tcp  *TCP
	rec  *recorder
}

// newPeer starts a loop and a transport; cleanup closes both and waits for
// their goroutines.
func newPeer(t testing.TB, cfg TCPConfig) *peer {
	t.Helper()
	p := &peer{loop: loop.NewReal(slog.New(slog.DiscardHandler)), rec: newRecorder()}
	p.tcp = NewTCP(p.loop, p.rec, cfg)
	stopped := make(chan struct{})
	go func() {
		p.loop.Run(context.Background())
		close(stopped)
	}()
	t.Cleanup(func() {
		p.call(func() { p.tcp.Close() })
		p.tcp.Wait()
		p.loop.Stop()
		<-stopped
	})
	return p
}

// call runs fn on the peer's loop and waits for it.
func (p *peer) call(fn func()) { p.loop.Call(fn) }

func (p *peer) listen(t testing.TB) string {
	t.Helper()
	var addr string
	var err error
	p.call(func() { addr, err = p.tcp.Listen("tcp://127.0.0.1:0") })
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return addr
}

func (p *peer) dial(t testing.TB, addr string) Conn {
	t.Helper()
	p.call(func() { p.tcp.Dial(addr, p.rec.dialled) })
	ev := p.rec.next(t, evDialled)
	if ev.err != nil {
		t.Fatalf("dial %s: %v", addr, ev.err)
	}
	return ev.conn
}

func (p *peer) send(t testing.TB, c Conn, frame []byte) {
	t.Helper()
	var err error
	p.call(func() { err = c.Send(frame) })
	if err != nil {
		t.Fatalf("send %d bytes: %v", len(frame), err)
	}
}

// mark posts a marker event onto the loop, after everything posted so far.
func (p *peer) mark() { p.call(func() { p.rec.events <- event{kind: evMark} }) }

// connect returns a dialled conn on a and the matching accepted conn on b.
func connect(t testing.TB, a, b *peer) (dialled, accepted Conn) {
	t.Helper()
	addr := b.listen(t)
	dialled = a.dial(t, addr)
	accepted = b.rec.next(t, evAccepted).conn
	return dialled, accepted
}

// waitFor polls cond until it holds, for tests that watch counters.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
