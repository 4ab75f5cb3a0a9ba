// Package transport moves opaque frames between peers. It is the underlay
// below CORE: TCP sockets for daemons (tcp://HOST:PORT) and an in-memory
// network in virtual time for simulation (mem://N, package memnet).
//
// A transport knows nothing of keys. It reports connections and frames to a
// Handler on the owning peer's loop, and CORE decides what to do with them.
// Inbound connections start silent: the transport writes nothing to them
// until CORE sends a frame, and Discard keeps them silent for good.
//
// On a TCP stream every frame is preceded by its length, a 32-bit unsigned
// big-endian integer that counts the frame bytes only:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 length L (1 to MaxFrameSize)                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     frame (L bytes) ...                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A length of zero or above MaxFrameSize turns the connection into a silent
// sink: frames before it are still delivered, the reader allocates nothing
// for it and drops all later input, Send fails with ErrClosed, and the peer
// gets no reply, not even a reset.
package transport

import (
	"errors"
	"fmt"
	"net/url"
)

// MaxFrameSize is the largest frame any transport carries. A TCP reader
// checks the length prefix against it before allocating. It leaves room for
// a 64 KiB batch of service messages plus CORE's framing and AEAD tag.
const MaxFrameSize = 64*1024 + 1024

// Errors shared by all transports.
var (
	ErrQueueFull    = errors.New("transport: send queue full")
	ErrClosed       = errors.New("transport: connection closed")
	ErrFrameTooLong = fmt.Errorf("transport: frame longer than %d bytes", MaxFrameSize)
)

// Conn is one connection carrying frames in both directions. Its methods
// are called on the owning peer's loop.
type Conn interface {
	// Send queues one frame for writing. It never blocks: when the queued
	// bytes would pass the connection's bound it returns ErrQueueFull and
	// queues nothing. Send copies the frame, so the caller may reuse it as
	// soon as Send returns.
	Send(frame []byte) error
	// Close writes what is queued, then closes the connection normally.
	// Frames that arrive afterwards are not delivered.
	Close()
	// Discard makes the connection a sink: it never writes another byte,
	// reads and drops everything that arrives (frames of any length,
	// including ones longer than MaxFrameSize) and reports nothing more but
	// Closed. The owner closes it later with Close.
	Discard()
	// Inbound reports whether the remote end dialled.
	Inbound() bool
	// LocalAddr and RemoteAddr return address URLs such as
	// tcp://127.0.0.1:2086 or mem://7.
	LocalAddr() string
	RemoteAddr() string
}

// Handler receives a transport's events. Every method runs on the owning
// peer's loop, in the order the events happened on each connection.
type Handler interface {
	// Accepted reports a new inbound connection.
	Accepted(c Conn)
	// Received delivers one frame. The handler owns frame afterwards.
	Received(c Conn, frame []byte)
	// Closed reports that c is gone: closed by either side, failed, or timed
	// out. err is nil after a local Close.
	Closed(c Conn, err error)
}

// Transport is one kind of underlay attached to one peer.
type Transport interface {
	// Scheme returns the URL scheme this transport serves, such as "tcp".
	Scheme() string
	// Listen starts accepting on addr and returns the address actually bound
	// (port 0 becomes the port the kernel chose).
	Listen(addr string) (string, error)
	// Dial connects to addr. done runs on the owning loop with the new
	// connection or an error.
	Dial(addr string, done func(Conn, error))
	// Close stops listening and closes every connection.
	Close() error
}

// SplitAddress parses an address URL into its scheme and host part, so
// tcp://127.0.0.1:2086 gives "tcp" and "127.0.0.1:2086".
func SplitAddress(addr string) (scheme, host string, err error) {
	u, err := url.Parse(addr)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("transport: invalid address %q: expected SCHEME://HOST[:PORT], e.g. tcp://127.0.0.1:2086", addr)
	}
	return u.Scheme, u.Host, nil
}
