// Package memnet is an in-memory network in virtual time, for simulation and
// deterministic tests. Every peer attaches a Transport with address mem://N,
// where N is the peer's index, and everything runs on the goroutine that
// drives one loop.Sim: no goroutines, no locks, no wall clock.
//
// A frame sent on a connection is delivered whole, in order, at
//
//	start   = max(now, the direction's busy-until)
//	arrival = start + size/bandwidth + latency
//
// and the direction stays busy until start + size/bandwidth, so frames on one
// connection serialise behind each other. Latency, loss and bandwidth come
// from Config.Link or from a per-pair override set with SetLink. Partitions,
// a dial filter and a drop hook shape what gets through; Stats counts what
// was sent, delivered and dropped, and why.
//
// Runs are reproducible: loss draws come from the network's own ChaCha8
// stream seeded by Config.Seed, and every event is scheduled on the Sim in
// an order that depends only on the calls made.
package memnet

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// Defaults for Config fields left at zero.
const (
	// DefaultSendQueueBytes matches the TCP transport's default queue, so
	// CORE gets the same backpressure in simulation as in a daemon.
	DefaultSendQueueBytes = 1 << 20
	// DefaultDialTimeout is how long a dial into another partition takes to
	// fail, standing in for a TCP connect whose SYNs all get lost.
	DefaultDialTimeout = 10 * time.Second
)

// LinkConfig describes one direction of a link.
//
// NOTE: bandwidth is modelled per connection and direction, so two
// connections between the same pair of peers do not share it.
type LinkConfig struct {
	// Latency is the one-way delay of every frame and connection event.
	Latency time.Duration
	// Loss is the probability in [0, 1] that a frame is dropped.
	Loss float64
	// BytesPerSecond is the bandwidth; zero means unlimited.
	BytesPerSecond int64
}

// transmitTime returns how long size bytes occupy the link.
func (l LinkConfig) transmitTime(size int) time.Duration {
	if l.BytesPerSecond <= 0 {
		return 0
	}
	return time.Duration(int64(size) * int64(time.Second) / l.BytesPerSecond)
}

// Config tunes a Network.
type Config struct {
	// Link applies to every ordered pair of peers without an override.
	Link LinkConfig
	// SendQueueBytes bounds the bytes one connection has sent that are not
	// yet delivered or dropped. Zero means DefaultSendQueueBytes.
	SendQueueBytes int
	// DialTimeout is how long a dial across a partition takes to fail. Zero
	// means DefaultDialTimeout.
	DialTimeout time.Duration
	// Seed seeds the network's random source, which decides frame loss.
	Seed uint64
}

// linkKey names one direction between two peers.
type linkKey struct{ from, to int }

// Network is the shared medium of all attached transports. Its methods, and
// those of its transports and connections, must run on the goroutine that
// drives the Sim.
type Network struct {
	sim   *loop.Sim
	cfg   Config
	rand  *rand.Rand
	links map[linkKey]LinkConfig // overrides of cfg.Link
	peers map[int]*Transport
	group map[int]int // partition group per peer; nil when healed

	dialFilter func(from, to int) bool
	dropHook   func(from, to int, frame []byte) bool

	nextConnID uint64
	stats      Stats
}

// New returns an empty network driven by sim.
func New(sim *loop.Sim, cfg Config) *Network {
	if cfg.SendQueueBytes <= 0 {
		cfg.SendQueueBytes = DefaultSendQueueBytes
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	var key [32]byte
	copy(key[:], "hush-memnet-loss")
	for i := range 8 {
		key[24+i] = byte(cfg.Seed >> (8 * i))
	}
	return &Network{
		sim:   sim,
		cfg:   cfg,
		rand:  rand.New(rand.NewChaCha8(key)),
		links: make(map[linkKey]LinkConfig),
		peers: make(map[int]*Transport),
	}
}

// Attach creates the transport of the peer with the given index, reporting
// to h. env must be a SimEnv of the network's Sim; the transport takes its
// logger from it. Attaching an index twice is a bug in the caller and
// panics.
func (n *Network) Attach(index int, env loop.Env, h transport.Handler) *Transport {
	if _, ok := n.peers[index]; ok {
		panic(fmt.Sprintf("memnet: peer %d attached twice", index))
	}
	t := newTransport(n, index, env, h)
	n.peers[index] = t
	return t
}

// SetLink overrides the link from peer a to peer b. It affects frames sent
// afterwards; frames already in flight keep their arrival time.
func (n *Network) SetLink(a, b int, cfg LinkConfig) { n.links[linkKey{a, b}] = cfg }

// link returns the configuration of the direction from a to b.
func (n *Network) link(a, b int) LinkConfig {
	if cfg, ok := n.links[linkKey{a, b}]; ok {
		return cfg
	}
	return n.cfg.Link
}

// Partition splits the peers into groups: frames sent between groups while
// the partition holds are dropped, and dials between them fail. Peers in no group form one more group
// together. Connections across groups stay open, as TCP connections do
// while a path is down, until their owners give up on them.
func (n *Network) Partition(groups ...[]int) {
	n.group = make(map[int]int)
	for i, members := range groups {
		for _, index := range members {
			n.group[index] = i + 1
		}
	}
}

// Heal removes the partition.
func (n *Network) Heal() { n.group = nil }

// reachable reports whether a and b are on the same side of the partition.
func (n *Network) reachable(a, b int) bool {
	return n.group == nil || n.group[a] == n.group[b]
}

// SetDialFilter installs allow, which decides whether peer from may dial
// peer to. A rejected dial fails after one latency. nil allows every dial.
func (n *Network) SetDialFilter(allow func(from, to int) bool) { n.dialFilter = allow }

// SetDropHook installs drop, which is called with every frame at Send that
// passed the loss and partition checks, and drops it by returning true. nil
// drops nothing.
func (n *Network) SetDropHook(drop func(from, to int, frame []byte) bool) { n.dropHook = drop }

// Count is a number of frames and their total size.
type Count struct {
	Frames uint64
	Bytes  uint64
}

func (c *Count) add(size int) {
	c.Frames++
	c.Bytes += uint64(size)
}

// Stats counts frames by what happened to them. A frame sent is later
// either delivered or counted in exactly one of the drop counters except
// QueueFull, which counts frames Send rejected and so never sent.
type Stats struct {
	Sent        Count // accepted by Send
	Delivered   Count // passed to the receiver's Handler
	Lost        Count // dropped by the link's loss probability
	Partitioned Count // dropped because sender and receiver were in different groups
	Hooked      Count // dropped by the drop hook
	Unreceived  Count // arrived at a connection that was closed or discarding
	QueueFull   Count // rejected by Send with ErrQueueFull
	Dials       uint64
	DialsFailed uint64
}

// Stats returns the counters of the whole network.
func (n *Network) Stats() Stats { return n.stats }

// count adds size to the counter that pick selects, both in the network's
// stats and in t's.
func (n *Network) count(t *Transport, pick func(*Stats) *Count, size int) {
	pick(&n.stats).add(size)
	pick(&t.stats).add(size)
}
