package resolver

import (
	"context"

	"github.com/hush-overlay/hush/gns/record"
)

// Blocking resolves from other goroutines: it posts each resolution to the
// peer's loop and waits for the result. The daemon's control API and the
// DNS bridge use it.
type Blocking struct {
	// Post runs a function on the peer's loop (loop.Env.Post).
	Post     func(func())
	Resolver *Resolver
}

// Resolve resolves name for typ and waits for the result or for ctx to
// end, in which case it cancels the resolution and returns ctx's error.
// It must not be called on the loop itself. Give ctx a deadline: when the
// loop has stopped, only ctx ends the wait.
func (b Blocking) Resolve(ctx context.Context, name string, typ record.Type) (Result, error) {
	results := make(chan Result, 1)
	cancels := make(chan func(), 1)
	b.Post(func() {
		cancels <- b.Resolver.Resolve(name, typ, func(r Result) { results <- r })
	})
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		b.Post(func() { (<-cancels)() })
		return Result{Code: Failed, Name: name, Err: ctx.Err()}, ctx.Err()
	}
}
