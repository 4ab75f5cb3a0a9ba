package memnet

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// recorder is a Handler that writes every event as one transcript line with
// the virtual time, and keeps the connections it saw.
type recorder struct {
	sim      *loop.Sim
	index    int
	log      *[]string // shared by all recorders of one test
	accepted []transport.Conn
	received [][]byte
	closed   []error
}

func (r *recorder) line(format string, args ...any) {
	*r.log = append(*r.log, fmt.Sprintf("%v peer %d: ", r.sim.Elapsed(), r.index)+fmt.Sprintf(format, args...))
}

func (r *recorder) Accepted(c transport.Conn) {
	r.accepted = append(r.accepted, c)
	r.line("accepted from %s", c.RemoteAddr())
}

func (r *recorder) Received(c transport.Conn, frame []byte) {
	r.received = append(r.received, frame)
	r.line("received %q from %s", frame, c.RemoteAddr())
}

func (r *recorder) Closed(c transport.Conn, err error) {
	r.closed = append(r.closed, err)
	r.line("closed %s: %v", c.RemoteAddr(), err)
}

// testNet is a network of peers 0..n-1, all listening.
type testNet struct {
	sim   *loop.Sim
	net   *Network
	peers []*Transport
	recs  []*recorder
	log   []string
}

func newTestNet(t testing.TB, peers int, cfg Config) *testNet {
	t.Helper()
	tn := &testNet{sim: loop.NewSim(cfg.Seed)}
	tn.net = New(tn.sim, cfg)
	for i := range peers {
		rec := &recorder{sim: tn.sim, index: i, log: &tn.log}
		env := tn.sim.NewEnv(uint64(i), slog.New(slog.DiscardHandler))
		tr := tn.net.Attach(i, env, rec)
		if _, err := tr.Listen(Address(i)); err != nil {
			t.Fatalf("listen peer %d: %v", i, err)
		}
		tn.peers = append(tn.peers, tr)
		tn.recs = append(tn.recs, rec)
	}
	return tn
}

// dialResult is what a Dial's done callback received, and when.
type dialResult struct {
	conn transport.Conn
	err  error
	at   time.Duration
	done bool
}

func (tn *testNet) dial(from, to int) *dialResult {
	res := &dialResult{}
	tn.peers[from].Dial(Address(to), func(c transport.Conn, err error) {
		*res = dialResult{conn: c, err: err, at: tn.sim.Elapsed(), done: true}
		tn.recs[from].line("dialled %s: %v", Address(to), err)
	})
	return res
}

// connect dials from one peer to another, runs the Sim until the dial is
// done and returns both ends.
func (tn *testNet) connect(t testing.TB, from, to int) (dialled, accepted transport.Conn) {
	t.Helper()
	before := len(tn.recs[to].accepted)
	res := tn.dial(from, to)
	for !res.done && tn.sim.Step() {
	}
	if res.err != nil || !res.done {
		t.Fatalf("dial %d->%d: done %v, err %v", from, to, res.done, res.err)
	}
	return res.conn, tn.recs[to].accepted[before]
}

func mustSend(t testing.TB, c transport.Conn, frame string) {
	t.Helper()
	if err := c.Send([]byte(frame)); err != nil {
		t.Fatalf("send %q: %v", frame, err)
	}
}
