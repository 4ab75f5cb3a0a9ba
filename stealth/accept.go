package stealth

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// acceptLoop accepts on ln until it is closed or ctx ends, runs handle for
// each connection on a goroutine of its own, and waits for them to finish.
func acceptLoop(ctx context.Context, ln net.Listener, handle func(context.Context, net.Conn)) error {
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer wg.Wait()
	backoff := time.Duration(0)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Running out of file descriptors, or a connection reset
			// before it was accepted, passes: wait and accept again.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return nil
			}
			continue
		}
		backoff = 0
		wg.Add(1)
		go func() { defer wg.Done(); handle(ctx, conn) }()
	}
}
