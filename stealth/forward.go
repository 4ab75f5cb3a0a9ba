package stealth

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Forwarder carries every connection accepted on a local TCP listener over
// its own channel to the service one name points to. It resolves the name
// again once the record that named the target has expired, so a rotated
// secret or a moved service is picked up without a restart.
type Forwarder struct {
	Name        string
	Resolver    Resolver
	Dialer      Dialer
	Log         *slog.Logger
	DialTimeout time.Duration // default 30 s
	// Now returns the current time; tests replace it.
	Now func() time.Time

	mu     sync.Mutex
	cached *Target
}

// Serve accepts on ln until it is closed or ctx ends.
func (f *Forwarder) Serve(ctx context.Context, ln net.Listener) error {
	return acceptLoop(ctx, ln, f.handle)
}

// handle opens a channel for one local connection. A failure is reported to
// the local client by closing its connection, and to the operator in the
// log.
func (f *Forwarder) handle(ctx context.Context, local net.Conn) {
	timeout := f.DialTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	remote, err := f.dial(dctx)
	cancel()
	if err != nil {
		f.Log.Warn("forward: cannot reach service", "name", f.Name, "client", local.RemoteAddr(), "err", err)
		local.Close()
		return
	}
	stop := context.AfterFunc(ctx, func() { local.Close(); remote.Close() })
	defer stop()
	up, down := Splice(local, remote)
	f.Log.Debug("forward: connection closed", "name", f.Name, "sent", up, "received", down)
}

// dial resolves the name if needed and opens a channel. When a cached
// target fails, it resolves once more, since the record may have changed.
func (f *Forwarder) dial(ctx context.Context) (net.Conn, error) {
	target, fresh, err := f.target(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := f.Dialer.DialService(ctx, target)
	if err == nil || fresh || ctx.Err() != nil {
		return conn, err
	}
	f.forget()
	if target, _, err = f.target(ctx); err != nil {
		return nil, err
	}
	return f.Dialer.DialService(ctx, target)
}

// target returns the cached target while its record is valid, else
// resolves the name. fresh reports a new resolution.
func (f *Forwarder) target(ctx context.Context) (Target, bool, error) {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	f.mu.Lock()
	cached := f.cached
	f.mu.Unlock()
	if cached != nil && now().Before(cached.Expires) {
		return *cached, false, nil
	}
	t, err := f.Resolver.ResolveService(ctx, f.Name)
	if err != nil {
		return t, true, err
	}
	f.mu.Lock()
	f.cached = &t
	f.mu.Unlock()
	return t, true, nil
}

func (f *Forwarder) forget() {
	f.mu.Lock()
	f.cached = nil
	f.mu.Unlock()
}
