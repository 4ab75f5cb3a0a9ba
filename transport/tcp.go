package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// Defaults for TCPConfig fields left at zero.
const (
	// DefaultSendQueueBytes holds 16 frames of 64 KiB: enough to keep a
	// loopback or LAN link busy between two wake-ups of the writer, small
	// enough that a stalled peer pins at most 1 MiB per connection.
	DefaultSendQueueBytes = 1 << 20
	// DefaultIdleTimeout is well above any keepalive period CORE would use,
	// so it only closes connections whose peer vanished silently.
	DefaultIdleTimeout = 3 * time.Minute
	// DefaultWriteTimeout bounds one write call, so a peer that stops
	// reading cannot hold a writer goroutine forever.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultDialTimeout bounds connection set-up.
	DefaultDialTimeout = 10 * time.Second
	// DefaultDrainTimeout bounds how long a closing connection keeps reading
	// after its FIN, waiting for the peer's FIN.
	DefaultDrainTimeout = 5 * time.Second
)

// acceptRetryDelay is the pause after a failed Accept, such as when the
// process is out of file descriptors, so the accept loop does not spin.
const acceptRetryDelay = 100 * time.Millisecond

// TCPConfig tunes a TCP transport. Zero fields take the defaults above.
type TCPConfig struct {
	// SendQueueBytes bounds the bytes, length prefixes included, that one
	// connection holds between Send and the end of the write. Values below
	// one maximal frame are raised to one maximal frame.
	SendQueueBytes int
	// IdleTimeout closes a connection that received nothing for this long
	// (the reader may wait up to an eighth longer).
	IdleTimeout time.Duration
	// WriteTimeout is the deadline of each write to the socket, and of the
	// whole flush after Close. A write that misses it fails the connection.
	WriteTimeout time.Duration
	// DialTimeout bounds Dial.
	DialTimeout time.Duration
	// DrainTimeout bounds the wait for the peer's FIN after a local Close.
	DrainTimeout time.Duration
}

func (cfg TCPConfig) withDefaults() TCPConfig {
	if cfg.SendQueueBytes <= 0 {
		cfg.SendQueueBytes = DefaultSendQueueBytes
	}
	cfg.SendQueueBytes = max(cfg.SendQueueBytes, FrameHeaderSize+MaxFrameSize)
	cfg.IdleTimeout = orDefault(cfg.IdleTimeout, DefaultIdleTimeout)
	cfg.WriteTimeout = orDefault(cfg.WriteTimeout, DefaultWriteTimeout)
	cfg.DialTimeout = orDefault(cfg.DialTimeout, DefaultDialTimeout)
	cfg.DrainTimeout = orDefault(cfg.DrainTimeout, DefaultDrainTimeout)
	return cfg
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// TCP is the transport over TCP sockets, with addresses tcp://HOST:PORT.
//
// Each connection runs two goroutines: a reader that posts frames to the
// owner's loop and a writer that drains the send queue with vectored writes.
// TCP's methods and its connections' methods are safe to call from any
// goroutine, though the Handler contract expects the owner's loop.
type TCP struct {
	env loop.Env
	h   Handler
	cfg TCPConfig
	log *slog.Logger

	ctx    context.Context // cancelled by Close, which ends pending dials
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine this transport started

	mu        sync.Mutex // guards the fields below
	closed    bool
	listeners []net.Listener
	conns     map[*tcpConn]struct{}

	stats tcpCounters
}

var _ Transport = (*TCP)(nil)

// NewTCP returns a TCP transport that reports events to h on env's loop.
func NewTCP(env loop.Env, h Handler, cfg TCPConfig) *TCP {
	log := env.Log()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &TCP{
		env:    env,
		h:      h,
		cfg:    cfg.withDefaults(),
		log:    log.With("subsystem", "transport", "scheme", "tcp"),
		ctx:    ctx,
		cancel: cancel,
		conns:  make(map[*tcpConn]struct{}),
	}
}

// Scheme implements Transport.
func (t *TCP) Scheme() string { return "tcp" }

// Listen implements Transport. It accepts until Close.
func (t *TCP) Listen(addr string) (string, error) {
	host, err := t.hostOf(addr)
	if err != nil {
		return "", err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(t.ctx, "tcp", host)
	if err != nil {
		return "", fmt.Errorf("transport: listen on %s: %w", addr, err)
	}
	if !t.track(func() { t.listeners = append(t.listeners, ln) }) {
		ln.Close()
		return "", ErrClosed
	}
	go t.acceptLoop(ln.(*net.TCPListener))
	bound := "tcp://" + ln.Addr().String()
	t.log.Info("listening", "addr", bound)
	return bound, nil
}

// hostOf checks that addr is a tcp:// URL and returns its HOST:PORT part.
func (t *TCP) hostOf(addr string) (string, error) {
	scheme, host, err := SplitAddress(addr)
	if err != nil {
		return "", err
	}
	if scheme != "tcp" {
		return "", fmt.Errorf("transport: address %q has scheme %q, expected tcp", addr, scheme)
	}
	return host, nil
}

// track runs register under the lock and counts one more goroutine, unless
// the transport is closed. It reports whether the goroutine may start.
func (t *TCP) track(register func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	register()
	t.wg.Add(1)
	return true
}

// acceptWarnInterval rate-limits the warning about failed accepts, which
// repeat every acceptRetryDelay while the cause lasts.
const acceptWarnInterval = time.Minute

func (t *TCP) acceptLoop(ln *net.TCPListener) {
	defer t.wg.Done()
	var lastWarn time.Time
	failures := 0
	for {
		nc, err := ln.AcceptTCP()
		if err != nil {
			if t.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			failures++
			if time.Since(lastWarn) >= acceptWarnInterval {
				t.log.Warn("accept failed, retrying", "addr", ln.Addr().String(), "failures", failures, "err", err)
				lastWarn, failures = time.Now(), 0
			}
			t.pause(acceptRetryDelay)
			continue
		}
		t.acceptConn(nc)
	}
}

func (t *TCP) acceptConn(nc *net.TCPConn) {
	c, err := t.adopt(nc, true)
	if err != nil {
		nc.Close()
		return
	}
	t.stats.accepted.Add(1)
	t.env.Post(func() { t.h.Accepted(c) })
	c.start()
}

// pause sleeps for d or until Close.
func (t *TCP) pause(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.ctx.Done():
	}
}

// Dial implements Transport. The connection attempt runs in its own
// goroutine and ends with an error when Close is called first.
func (t *TCP) Dial(addr string, done func(Conn, error)) {
	host, err := t.hostOf(addr)
	if err == nil && !t.track(func() {}) {
		err = fmt.Errorf("transport: dial %s: %w", addr, ErrClosed)
	}
	if err != nil {
		// After runs done on the loop later, not inside the caller's Dial.
		t.env.After(0, func() { done(nil, err) })
		return
	}
	go t.dial(addr, host, done)
}

func (t *TCP) dial(addr, host string, done func(Conn, error)) {
	defer t.wg.Done()
	d := net.Dialer{Timeout: t.cfg.DialTimeout}
	nc, err := d.DialContext(t.ctx, "tcp", host)
	if err != nil {
		t.env.Post(func() { done(nil, fmt.Errorf("transport: dial %s: %w", addr, err)) })
		return
	}
	c, err := t.adopt(nc.(*net.TCPConn), false)
	if err != nil {
		nc.Close()
		t.env.Post(func() { done(nil, fmt.Errorf("transport: dial %s: %w", addr, err)) })
		return
	}
	t.stats.dialled.Add(1)
	t.env.Post(func() { done(c, nil) })
	c.start()
}

// adopt wraps nc and registers it, unless the transport is closed.
func (t *TCP) adopt(nc *net.TCPConn, inbound bool) (*tcpConn, error) {
	c := newTCPConn(t, nc, inbound)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	t.conns[c] = struct{}{}
	t.stats.open.Add(1)
	t.log.Debug("conn opened", "remote", c.remote, "inbound", inbound)
	return c, nil
}

// forget removes c once both of its goroutines have ended.
func (t *TCP) forget(c *tcpConn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
	t.stats.open.Add(-1)
}

// Close implements Transport. It stops the listeners, makes pending dials
// fail, and closes every connection as Conn.Close does, so each one still
// flushes its queue and reports Closed. A dial that connected just before
// Close still reports its conn, which then closes like the others. Close
// returns at once, and Wait blocks until the goroutines have ended.
func (t *TCP) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	listeners := t.listeners
	conns := make([]*tcpConn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()

	t.cancel()
	var errs []error
	for _, ln := range listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("transport: close listener %s: %w", ln.Addr(), err))
		}
	}
	for _, c := range conns {
		c.Close()
	}
	t.log.Info("closed", "conns", len(conns))
	return errors.Join(errs...)
}

// Wait blocks until every goroutine of a closed transport has ended, which
// takes at most WriteTimeout plus DrainTimeout after Close while the loop
// keeps taking posted events. Call it off the owner's loop, because the
// goroutines may wait to post their last events to it.
func (t *TCP) Wait() { t.wg.Wait() }

// TCPStats is a snapshot of a TCP transport's counters.
type TCPStats struct {
	Accepted uint64 // inbound connections accepted
	Dialled  uint64 // outbound connections established
	Open     int64  // connections whose reader or writer still runs

	FramesIn  uint64 // frames delivered to the handler
	BytesIn   uint64 // bytes of those frames, length prefixes included
	FramesOut uint64 // frames written to sockets
	BytesOut  uint64 // bytes written to sockets, length prefixes included

	InvalidPrefixes uint64 // zero or oversize length prefixes received
	BytesDiscarded  uint64 // bytes read and dropped by discarding connections
}

type tcpCounters struct {
	accepted, dialled               atomic.Uint64
	open                            atomic.Int64
	framesIn, bytesIn               atomic.Uint64
	framesOut, bytesOut             atomic.Uint64
	invalidPrefixes, bytesDiscarded atomic.Uint64
}

// Stats returns the transport's counters. It is cheap: a few atomic loads.
func (t *TCP) Stats() TCPStats {
	s := &t.stats
	return TCPStats{
		Accepted:        s.accepted.Load(),
		Dialled:         s.dialled.Load(),
		Open:            s.open.Load(),
		FramesIn:        s.framesIn.Load(),
		BytesIn:         s.bytesIn.Load(),
		FramesOut:       s.framesOut.Load(),
		BytesOut:        s.bytesOut.Load(),
		InvalidPrefixes: s.invalidPrefixes.Load(),
		BytesDiscarded:  s.bytesDiscarded.Load(),
	}
}
