package cadet

import (
	"net"
	"os"
	"sync"
	"time"
)

// conn is a channel as a net.Conn. The Channel is touched only on the
// loop; the loop signals readiness through readable and writable, which
// hold at most one pending signal each. Reads and writes go through the
// loop's bounded channel buffers, so a slow reader holds the sender back
// through the receive window.
type conn struct {
	a        *API
	ch       *Channel // loop only
	local    Addr
	remote   Addr
	readable chan struct{}
	writable chan struct{}
	closed   chan struct{}
	once     sync.Once
	readDL   deadline
	writeDL  deadline
}

func newConn(a *API, remote Addr) *conn {
	c := &conn{a: a, remote: remote, readable: make(chan struct{}, 1), writable: make(chan struct{}, 1), closed: make(chan struct{})}
	c.readDL.init()
	c.writeDL.init()
	return c
}

// attach runs on the loop.
func (c *conn) attach(ch *Channel) {
	c.ch = ch
	c.local = Addr{Peer: ch.ch.t.e.Self(), Port: ch.Port()}
	ch.OnReadable = func() { signal(c.readable) }
	ch.OnWritable = func() { signal(c.writable) }
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Read implements net.Conn.
func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		var n int
		var err error
		if runErr := c.a.run(func() { n, err = c.ch.Read(p) }); runErr != nil {
			return 0, runErr
		}
		if n > 0 || err != nil {
			return n, err
		}
		if err := c.wait(c.readable, &c.readDL); err != nil {
			return 0, err
		}
	}
}

// Write implements net.Conn. It returns once all of p is in the channel's
// send buffer, waiting for space as the peer's window opens.
func (c *conn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		var n int
		var err error
		if runErr := c.a.run(func() { n, err = c.ch.Write(p[written:]) }); runErr != nil {
			return written, runErr
		}
		written += n
		if err != nil {
			return written, err
		}
		if n > 0 {
			continue
		}
		if err := c.wait(c.writable, &c.writeDL); err != nil {
			return written, err
		}
	}
	return written, nil
}

// wait blocks until ready is signalled, the deadline passes, or the conn
// or loop closes. A deadline moved meanwhile applies at once.
func (c *conn) wait(ready chan struct{}, dl *deadline) error {
	for {
		expired, changed := dl.channels()
		select {
		case <-ready:
			return nil
		case <-expired:
			return timeoutError{}
		case <-changed:
		case <-c.closed:
			return net.ErrClosed
		case <-c.a.done:
			return ErrClosed
		}
	}
}

// Close sends what is buffered, then FIN, and returns at once.
func (c *conn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		_ = c.a.run(func() { c.ch.Close() })
	})
	return nil
}

// CloseWrite sends what is buffered, then FIN, and keeps reading until the
// peer's FIN. Close must still be called.
func (c *conn) CloseWrite() error {
	return c.a.run(func() { c.ch.CloseWrite() })
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) SetDeadline(t time.Time) error {
	c.readDL.set(t)
	c.writeDL.set(t)
	return nil
}

func (c *conn) SetReadDeadline(t time.Time) error  { c.readDL.set(t); return nil }
func (c *conn) SetWriteDeadline(t time.Time) error { c.writeDL.set(t); return nil }

// timeoutError is the net.Error for passed deadlines.
type timeoutError struct{}

func (timeoutError) Error() string   { return errTimeout.Error() }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Is(target error) bool {
	return target == os.ErrDeadlineExceeded || target == errTimeout
}

var _ net.Error = timeoutError{}

// deadline is a settable point in time. expired closes when it passes;
// changed closes when set moves it, so that blocked calls pick up the new
// one.
type deadline struct {
	mu      sync.Mutex
	timer   *time.Timer
	expired chan struct{}
	changed chan struct{}
}

func (d *deadline) init() {
	d.expired, d.changed = make(chan struct{}), make(chan struct{})
}

// set moves the deadline; the zero time removes it.
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	close(d.changed)
	d.init()
	if t.IsZero() {
		return
	}
	expired := d.expired
	if wait := time.Until(t); wait > 0 {
		d.timer = time.AfterFunc(wait, func() { close(expired) })
		return
	}
	close(expired)
}

func (d *deadline) channels() (expired, changed <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.expired, d.changed
}
