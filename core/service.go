package core

import (
	"errors"
	"strconv"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// Service identifies which protocol a message on a link belongs to. CORE
// multiplexes services over one encrypted link per neighbour.
type Service uint8

// Services carried over CORE links. Type 0 is CORE's own control traffic
// (keepalive, rekey, close) and cannot be registered.
const (
	serviceControl Service = 0
	ServiceDHT     Service = 1
	ServiceCADET   Service = 2
	// ServiceTest is free for tests and benchmarks.
	ServiceTest Service = 15
)

func (s Service) String() string {
	switch s {
	case serviceControl:
		return "control"
	case ServiceDHT:
		return "dht"
	case ServiceCADET:
		return "cadet"
	case ServiceTest:
		return "test"
	}
	return "service-" + strconv.Itoa(int(s))
}

// MaxMessageSize is the largest service message Send accepts.
const MaxMessageSize = 63 * 1024

// Errors returned by Links.Send.
var (
	ErrNoLink       = errors.New("core: no link to peer")
	ErrQueueFull    = errors.New("core: link send queue full")
	ErrTooLarge     = errors.New("core: message larger than MaxMessageSize")
	ErrUnregistered = errors.New("core: service not registered")
)

// Handler is a service's view of CORE's events. CORE calls it on the
// peer's loop.
type Handler interface {
	// LinkUp reports a new authenticated link to peer.
	LinkUp(peer identity.PeerID)
	// LinkDown reports that the link to peer is gone.
	LinkDown(peer identity.PeerID)
	// Receive delivers one message of the service from a neighbour. The
	// handler owns msg afterwards.
	Receive(from identity.PeerID, msg []byte)
}

// Links is what services (dht, cadet) use to reach neighbours. *Core
// implements it; tests may fake it. Every method is called on the peer's
// loop.
type Links interface {
	// Self returns this peer's ID.
	Self() identity.PeerID
	// Send queues msg for the neighbour peer. It returns ErrNoLink when no
	// link is up and ErrQueueFull when the link's queue is full; the
	// message is dropped in both cases.
	Send(to identity.PeerID, s Service, msg []byte) error
	// Connect asks CORE to open a link using the addresses in h, if the
	// link limit allows. It returns at once; LinkUp reports success.
	Connect(h *hello.Hello)
	// Neighbours returns the peers with a link up, in ID order.
	Neighbours() []identity.PeerID
	// Hello returns this peer's current signed HELLO.
	Hello() *hello.Hello
}
