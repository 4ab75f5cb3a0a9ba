package loop

import (
	"container/heap"
	"encoding/binary"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"
)

// SimEpoch is virtual time zero: a fixed instant, so that timestamps in a
// simulation do not depend on when it runs.
var SimEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// Sim is a discrete-event scheduler in virtual time. It drives any number of
// peers from one queue on one goroutine. Events at the same instant run in
// the order they were scheduled, so a run depends only on its seed.
type Sim struct {
	now    time.Duration // virtual time since SimEpoch
	seq    uint64
	events eventHeap
	seed   uint64
	ran    uint64
}

// NewSim returns a scheduler at virtual time zero.
func NewSim(seed uint64) *Sim { return &Sim{seed: seed} }

// Now returns the current virtual time.
func (s *Sim) Now() time.Time { return SimEpoch.Add(s.now) }

// Elapsed returns the virtual time since the start.
func (s *Sim) Elapsed() time.Duration { return s.now }

// EventsRun returns how many events have run.
func (s *Sim) EventsRun() uint64 { return s.ran }

// Pending returns the number of events waiting.
func (s *Sim) Pending() int { return len(s.events) }

// Schedule queues fn to run d from now and returns its handle.
func (s *Sim) Schedule(d time.Duration, fn func()) Timer {
	if d < 0 {
		d = 0
	}
	s.seq++
	ev := &simEvent{sim: s, at: s.now + d, seq: s.seq, fn: fn}
	heap.Push(&s.events, ev)
	return ev
}

// Step runs the next event. It returns false when no event is left.
func (s *Sim) Step() bool {
	for len(s.events) > 0 {
		ev := heap.Pop(&s.events).(*simEvent)
		if ev.cancelled {
			continue
		}
		s.now = ev.at
		ev.done = true
		s.ran++
		ev.fn()
		return true
	}
	return false
}

// RunUntil runs events until virtual time reaches t (relative to the start)
// or no event is left, then sets the clock to t.
func (s *Sim) RunUntil(t time.Duration) {
	for len(s.events) > 0 {
		next := s.events[0]
		if next.cancelled {
			heap.Pop(&s.events)
			continue
		}
		if next.at > t {
			break
		}
		s.Step()
	}
	if s.now < t {
		s.now = t
	}
}

// RunFor runs events for d of virtual time.
func (s *Sim) RunFor(d time.Duration) { s.RunUntil(s.now + d) }

// NewEnv returns the Env of one simulated peer. Its random stream is derived
// from the scheduler's seed and index, so peers draw independent streams.
func (s *Sim) NewEnv(index uint64, log *slog.Logger) *SimEnv {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[0:], s.seed)
	binary.LittleEndian.PutUint64(key[8:], index)
	copy(key[16:], "hush-sim-peer-rand")
	return &SimEnv{sim: s, rand: rand.NewChaCha8(key), log: log}
}

// SimEnv is one peer's view of a Sim.
type SimEnv struct {
	sim  *Sim
	rand *rand.ChaCha8
	log  *slog.Logger
}

var _ Env = (*SimEnv)(nil)

func (e *SimEnv) Now() time.Time    { return e.sim.Now() }
func (e *SimEnv) Rand() io.Reader   { return e.rand }
func (e *SimEnv) Log() *slog.Logger { return e.log }

// After implements Env on virtual time.
func (e *SimEnv) After(d time.Duration, fire func()) Timer { return e.sim.Schedule(d, fire) }

// Post implements Env. A simulation runs on one goroutine, so Post must be
// called from the goroutine driving the Sim.
func (e *SimEnv) Post(fn func()) { e.sim.Schedule(0, fn) }

type simEvent struct {
	sim       *Sim
	at        time.Duration
	seq       uint64
	fn        func()
	index     int
	cancelled bool
	done      bool
}

func (ev *simEvent) Stop() bool {
	if ev.cancelled || ev.done {
		return false
	}
	ev.cancelled = true
	ev.fn = nil
	heap.Remove(&ev.sim.events, ev.index)
	return true
}

type eventHeap []*simEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *eventHeap) Push(x any)   { ev := x.(*simEvent); ev.index = len(*h); *h = append(*h, ev) }
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	ev := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return ev
}
