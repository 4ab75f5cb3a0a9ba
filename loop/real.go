package loop

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"
)

// postQueueSize bounds the functions waiting to run on a real loop. Posting
// to a full queue blocks the poster, which is an I/O goroutine: that is
// backpressure on one connection's reads, never on the loop itself.
const postQueueSize = 4096

// Real is the daemon driver: one goroutine runs posted functions and timer
// callbacks in order, with wall-clock time and crypto/rand.
type Real struct {
	log   *slog.Logger
	queue chan func()
	done  chan struct{}
	once  sync.Once
}

// NewReal returns a loop that is not yet running; call Run.
func NewReal(log *slog.Logger) *Real {
	return &Real{log: log, queue: make(chan func(), postQueueSize), done: make(chan struct{})}
}

// Run executes posted functions until ctx ends or Stop is called.
func (l *Real) Run(ctx context.Context) {
	for {
		select {
		case fn := <-l.queue:
			fn()
		case <-ctx.Done():
			return
		case <-l.done:
			return
		}
	}
}

// Stop ends Run. Functions posted afterwards are dropped.
func (l *Real) Stop() { l.once.Do(func() { close(l.done) }) }

// Call runs fn on the loop and waits for it to finish. It must not be called
// from the loop itself. It returns false if the loop stopped first.
func (l *Real) Call(fn func()) bool {
	finished := make(chan struct{})
	select {
	case l.queue <- func() { fn(); close(finished) }:
	case <-l.done:
		return false
	}
	select {
	case <-finished:
		return true
	case <-l.done:
		return false
	}
}

func (l *Real) Now() time.Time    { return time.Now() }
func (l *Real) Rand() io.Reader   { return rand.Reader }
func (l *Real) Log() *slog.Logger { return l.log }

// Post implements Env. It blocks while the queue is full and drops fn once
// the loop has stopped.
func (l *Real) Post(fn func()) {
	select {
	case l.queue <- fn:
	case <-l.done:
	}
}

// After implements Env.
func (l *Real) After(d time.Duration, fire func()) Timer {
	t := &realTimer{}
	t.timer = time.AfterFunc(d, func() {
		l.Post(func() {
			if !t.stopped {
				t.stopped = true
				fire()
			}
		})
	})
	return t
}

// realTimer's stopped flag is read and written only on the loop, so a fire
// already posted when Stop runs is skipped.
type realTimer struct {
	timer   *time.Timer
	stopped bool
}

func (t *realTimer) Stop() bool {
	if t.stopped {
		return false
	}
	t.stopped = true
	t.timer.Stop()
	return true
}
