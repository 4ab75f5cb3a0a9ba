package loop

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestRealTimerStoppedAfterPostDoesNotFire(t *testing.T) {
	defer goleak.VerifyNone(t)
	l := NewReal(nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()

	fired := make(chan struct{}, 1)
	var tm Timer
	l.Call(func() { tm = l.After(time.Millisecond, func() { fired <- struct{}{} }) })
	time.Sleep(20 * time.Millisecond) // let the timer post its callback
	l.Call(func() { tm.Stop() })
	select {
	case <-fired:
		// The callback ran before Stop reached the loop, which is allowed.
	default:
	}
	l.Call(func() {
		if tm.Stop() {
			t.Error("Stop after fire or stop returned true")
		}
	})
	cancel()
	<-done
}

func TestRealCallAfterStopReturnsFalse(t *testing.T) {
	l := NewReal(nil)
	l.Stop()
	if l.Call(func() {}) {
		t.Fatal("Call on a stopped loop returned true")
	}
}
