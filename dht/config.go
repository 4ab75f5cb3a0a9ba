package dht

import (
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/identity"
)

// Key is a 64-byte DHT key.
type Key = block.Key

// BlockType is a DHT block type.
type BlockType = block.Type

// Datastore stores the blocks this peer is responsible for.
type Datastore = datastore.Datastore

// Mode selects the routing algorithm.
type Mode uint8

const (
	// ModeR5N is R5N: a random walk for the first log2(N) hops, then
	// greedy routing, with several paths for the replication level.
	ModeR5N Mode = iota
	// ModeKademlia is plain greedy routing with replication 1 that stops
	// at the first peer with no closer neighbour. It exists to compare
	// against R5N in benchmarks.
	ModeKademlia
)

func (m Mode) String() string {
	if m == ModeKademlia {
		return "kademlia"
	}
	return "r5n"
}

// Config tunes a DHT. Zero fields take the defaults listed with them.
type Config struct {
	Mode Mode
	// BucketSize is the routing table's k (default 20).
	BucketSize int
	// LinkLimit is the number of links above which the DHT stops asking
	// CORE to connect to peers for sparse buckets (default 32).
	LinkLimit int
	// Replication is the default replication level of PUTs and GETs
	// (default 5, at most MaxReplication).
	Replication int
	// MaxHops is the hop count at which messages are dropped, whatever the
	// size estimate (default 64).
	MaxHops int
	// FlapGrace is how long a peer whose link went down stays in the
	// routing table, so that a short flap does not empty a bucket
	// (default 1 minute).
	FlapGrace time.Duration
	// RequestLimit bounds the remembered GETs that results are routed
	// back for (default 4096); RequestTTL is how long each is kept
	// (default 1 minute).
	RequestLimit int
	RequestTTL   time.Duration
	// MaintenanceInterval is the period of HELLO publication, bootstrap
	// lookups and datastore sweeps (default 5 minutes, jittered).
	MaintenanceInterval time.Duration
	// EstimateRound is the length of one network size estimation round
	// (default 1 minute). All peers must use the same value.
	EstimateRound time.Duration
	// GetTimeout is the default lifetime of a local GET (default 30 s);
	// GetRetry is its first retransmission interval, doubled after each
	// retry (default 2 s).
	GetTimeout time.Duration
	GetRetry   time.Duration
	// DisableCache stops caching results that pass through this peer.
	DisableCache bool
	// VerifyCache, when set, is shared with other DHTs on the same
	// goroutine so that each verifies a HELLO or path signature once
	// (for simulations). Nil verifies every time.
	VerifyCache *VerifyCache
}

// MaxReplication caps the replication level of any message, as R5N's
// MAXIMUM_REPLICATION_LEVEL does.
const MaxReplication = 16

func (c Config) withDefaults() Config {
	setDefault(&c.BucketSize, 20)
	setDefault(&c.LinkLimit, 32)
	setDefault(&c.Replication, 5)
	setDefault(&c.MaxHops, 64)
	setDefault(&c.RequestLimit, 4096)
	setDefault(&c.FlapGrace, time.Minute)
	setDefault(&c.RequestTTL, time.Minute)
	setDefault(&c.MaintenanceInterval, 5*time.Minute)
	setDefault(&c.EstimateRound, time.Minute)
	setDefault(&c.GetTimeout, 30*time.Second)
	setDefault(&c.GetRetry, 2*time.Second)
	c.Replication = min(c.Replication, MaxReplication)
	if c.Mode == ModeKademlia {
		c.Replication = 1
	}
	return c
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// PutOptions modify one Put.
type PutOptions struct {
	// Replication overrides Config.Replication when positive.
	Replication int
	// RecordRoute records the signed route the block takes.
	RecordRoute bool
	// DemultiplexEverywhere stores the block at every hop.
	DemultiplexEverywhere bool
}

// GetOptions modify one Get.
type GetOptions struct {
	// Replication overrides Config.Replication when positive.
	Replication int
	// Timeout overrides Config.GetTimeout when positive.
	Timeout time.Duration
	// RecordRoute asks for the signed route of each result.
	RecordRoute bool
	// FindApproximate accepts blocks under keys near the requested key.
	FindApproximate bool
	// DemultiplexEverywhere asks every hop to answer, not only the
	// closest peers.
	DemultiplexEverywhere bool
}

// Result is one block found by a Get.
type Result struct {
	Key     Key
	Type    BlockType
	Data    []byte
	Expires time.Time
	// PutPath is the route of the PUT from its origin to the peer that
	// stored the block; GetPath is the route of the result from that peer
	// back to the requester, which is not included. Both are empty unless
	// RecordRoute was set and every hop signed. With Truncated set,
	// TruncatedOrigin is the peer before the first path entry.
	PutPath         []identity.PeerID
	GetPath         []identity.PeerID
	Truncated       bool
	TruncatedOrigin identity.PeerID
}

// Stats are counters for monitoring and simulation reports.
type Stats struct {
	TableSize     int
	Neighbours    int
	EstimatedSize float64
	StoredBlocks  int
	StoredBytes   int64
	PendingGets   int
	// MessagesIn and MessagesOut count messages by type name.
	MessagesIn  map[string]uint64
	MessagesOut map[string]uint64
	// Dropped counts received messages that were malformed or invalid.
	Dropped uint64
	// Puts and Gets count local API calls.
	Puts uint64
	Gets uint64
}
