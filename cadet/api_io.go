package cadet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// API is the blocking Go interface to an Engine, for daemons. Its methods
// may be called from any goroutine except the engine's loop. Each one
// posts work to the loop with env.Post and waits for the result.
type API struct {
	e    *Engine
	env  loop.Env
	done <-chan struct{}
}

// NewAPI wraps e, whose loop is driven by env (a loop.Real). done is
// closed when that loop stops; calls then fail with ErrClosed instead of
// waiting forever.
func NewAPI(e *Engine, env loop.Env, done <-chan struct{}) *API {
	return &API{e: e, env: env, done: done}
}

// ListenOptions configure a listening port.
type ListenOptions struct {
	// Secret makes the port a stealth port, which responds only to opens
	// with a valid token for it. Nil makes a public port.
	Secret *[32]byte
	// Backlog bounds the accepted channels waiting for Accept. When it is
	// full, new channels are destroyed at once. Default 16.
	Backlog int
}

// DialOptions configure a channel open. The opener chooses the channel's
// reliability; the listener accepts any.
type DialOptions struct {
	Secret       *[32]byte
	Reliability  Reliability
	FirstPayload []byte // sent with the open, at most MaxFirstPayload bytes
}

// run executes fn on the loop and waits for it.
func (a *API) run(fn func()) error {
	finished := make(chan struct{})
	a.env.Post(func() { fn(); close(finished) })
	select {
	case <-finished:
		return nil
	case <-a.done:
		return ErrClosed
	}
}

// Stats returns the engine's counters, or zero values once the loop
// stopped.
func (a *API) Stats() Stats {
	var s Stats
	_ = a.run(func() { s = a.e.Stats() })
	return s
}

// Tunnels describes the engine's tunnels.
func (a *API) Tunnels() []TunnelInfo {
	var out []TunnelInfo
	_ = a.run(func() { out = a.e.Tunnels() })
	return out
}

// Ports lists the listening ports, marking stealth ones.
func (a *API) Ports() []PortInfo {
	var out []PortInfo
	_ = a.run(func() { out = a.e.Ports() })
	return out
}

// RotateSecret gives a stealth port a new secret; see Engine.RotateSecret.
func (a *API) RotateSecret(port string, secret [32]byte, graceUntil time.Time) error {
	var err error
	if runErr := a.run(func() { err = a.e.RotateSecret(port, secret, graceUntil) }); runErr != nil {
		return runErr
	}
	return err
}

// Dial opens a channel to port on peer and returns it as a net.Conn once
// the peer accepts. It fails with ErrNoPath when no path to peer exists.
// A stealth port that rejects the open never responds, so Dial waits
// until ctx ends and returns an error wrapping ErrNoAnswer and ctx.Err().
func (a *API) Dial(ctx context.Context, peer identity.PeerID, port string, opts DialOptions) (net.Conn, error) {
	c := newConn(a, Addr{Peer: peer, Port: port})
	results := make(chan error, 1)
	var cancel func()
	err := a.run(func() {
		cancel = a.e.Open(peer, port, OpenOptions{Secret: opts.Secret, Reliability: opts.Reliability, FirstPayload: opts.FirstPayload},
			func(ch *Channel, err error) {
				if ch != nil {
					c.attach(ch)
				}
				results <- err
			})
	})
	if err != nil {
		return nil, err
	}
	select {
	case err := <-results:
		return c.result(err, nil)
	case <-ctx.Done():
		_ = a.run(cancel)
		return c.result(<-results, ctx.Err())
	case <-a.done:
		return nil, ErrClosed
	}
}

// result turns the open's outcome into Dial's return values. A channel
// that opened just as ctx ended is kept.
func (c *conn) result(err, ctxErr error) (net.Conn, error) {
	if err == nil {
		return c, nil
	}
	if ctxErr != nil {
		return nil, fmt.Errorf("cadet: dial %s: %w (%w)", c.remote, err, ctxErr)
	}
	return nil, fmt.Errorf("cadet: dial %s: %w", c.remote, err)
}

// Listener accepts channels on one port.
type Listener interface {
	net.Listener
}

type listener struct {
	a       *API
	addr    Addr
	backlog chan *conn
	closed  chan struct{}
	once    sync.Once
	stop    func()
}

// Listen opens port on this peer.
func (a *API) Listen(port string, opts ListenOptions) (Listener, error) {
	l := &listener{a: a, backlog: make(chan *conn, orInt(opts.Backlog, 16)), closed: make(chan struct{})}
	var err error
	runErr := a.run(func() {
		l.addr = Addr{Peer: a.e.Self(), Port: port}
		l.stop, err = a.e.ListenPort(port, opts.Secret, l.accepted)
	})
	if runErr != nil {
		return nil, runErr
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// accepted runs on the loop. It never blocks: a full backlog destroys the
// new channel.
func (l *listener) accepted(ch *Channel) {
	c := newConn(l.a, Addr{Peer: ch.Peer(), Port: l.addr.Port})
	c.local = l.addr
	c.attach(ch)
	select {
	case l.backlog <- c:
	default:
		ch.Destroy()
	}
}

// Accept waits for the next channel.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.backlog:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-l.a.done:
		return nil, ErrClosed
	}
}

// Close stops listening. Channels already accepted stay open.
func (l *listener) Close() error {
	l.once.Do(func() {
		close(l.closed)
		_ = l.a.run(l.stop)
	})
	return nil
}

func (l *listener) Addr() net.Addr { return l.addr }

// Addr is a CADET endpoint: a peer and a port name.
type Addr struct {
	Peer identity.PeerID
	Port string
}

func (a Addr) Network() string { return "cadet" }
func (a Addr) String() string  { return a.Peer.String() + ":" + a.Port }

// errTimeout is returned when a deadline passes; it is a net.Error with
// Timeout() true and wraps os.ErrDeadlineExceeded.
var errTimeout = errors.New("cadet: i/o timeout")
