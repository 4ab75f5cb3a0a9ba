// Package publisher puts the public records of the user's zones into the
// DHT as RFC 9498 blocks and keeps them there.
//
// For every zone and label in the namestore, the publisher seals the
// non-private, unexpired records into one block (record.SealSet) and hands
// it to a BlockSink under the block's query. It publishes again:
//
//   - soon after the namestore reports a change of the label;
//   - before the block expires: after RefreshFraction of its remaining
//     lifetime, but at least every MaxRepublish, because DHT stores drop
//     entries on their own schedule;
//   - never more often than one block per Interval (a rate limit), in
//     random order with jitter, so a large zone does not burst.
//
// Withdrawal: when a change leaves a label without public records, the
// publisher publishes a block with an empty record set that expires
// WithdrawLifetime later. Resolvers that receive it return "not found".
// Stores that keep the previous block under the same query still serve
// it until it expires, so withdrawal is only as fast as old blocks expire.
//
// All methods run on the peer's loop; the namestore's watch hook posts
// into it.
package publisher

import (
	"log/slog"
	"time"

	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// BlockSink stores a block in the DHT. The daemon adapts its DHT put;
// PutBlock must not block the loop.
type BlockSink interface {
	PutBlock(query [64]byte, block []byte, expires time.Time)
}

// KeyFunc returns the private key of a zone, or an error when the user has
// no identity for it.
type KeyFunc func(zk zone.PublicKey) (*zone.PrivateKey, error)

// Config sets up a Publisher. Zero durations take the defaults below.
type Config struct {
	Env   loop.Env
	Store *namestore.Store
	Keys  KeyFunc
	Sink  BlockSink
	// Interval is the minimum time between two publications.
	Interval time.Duration
	// MaxRepublish bounds the time between publications of one label.
	MaxRepublish time.Duration
	// RefreshFraction is the part of a block's remaining lifetime after
	// which it is published again, in (0, 1).
	RefreshFraction float64
	// ChangeDelay is how long a change waits, so that a burst of edits to
	// one label gives one block.
	ChangeDelay time.Duration
	// WithdrawLifetime is the lifetime of the empty block that withdraws a
	// label.
	WithdrawLifetime time.Duration
}

// Defaults. These are estimates, not measurements. Four hours keeps blocks
// in DHT stores that drop old entries, and at 20 blocks a second a zone of
// a few thousand labels is published within minutes.
const (
	DefaultInterval         = 50 * time.Millisecond
	DefaultMaxRepublish     = 4 * time.Hour
	DefaultRefreshFraction  = 0.5
	DefaultChangeDelay      = time.Second
	DefaultWithdrawLifetime = time.Hour
	// minRepublish keeps short-lived records from republishing in a loop.
	minRepublish = 10 * time.Second
	// jitterFraction spreads republication times by ±10 %.
	jitterFraction = 0.1
)

func (c *Config) setDefaults() {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.MaxRepublish <= 0 {
		c.MaxRepublish = DefaultMaxRepublish
	}
	if c.RefreshFraction <= 0 || c.RefreshFraction >= 1 {
		c.RefreshFraction = DefaultRefreshFraction
	}
	if c.ChangeDelay <= 0 {
		c.ChangeDelay = DefaultChangeDelay
	}
	if c.WithdrawLifetime <= 0 {
		c.WithdrawLifetime = DefaultWithdrawLifetime
	}
}

// Stats counts the publisher's work since it started.
type Stats struct {
	Published int // blocks with records
	Withdrawn int // empty blocks
	Failed    int // labels that could not be sealed
}

// Publisher is the zone publisher of one peer.
type Publisher struct {
	cfg     Config
	log     *slog.Logger
	labels  map[labelKey]*labelState
	queue   []*labelState // labels waiting for the rate limiter
	pump    loop.Timer    // armed while the queue is not empty
	last    time.Time     // time of the last publication
	stats   Stats
	stopped bool
}

type labelKey struct {
	zone  zone.PublicKey
	label string
}

// labelState is the publication state of one label.
type labelState struct {
	key      labelKey
	queued   bool
	timer    loop.Timer  // the next republication or change delay
	previous *zone.Block // the last block published, for record.SealSet
	public   bool        // whether previous carried records
	changed  bool        // a namestore change awaits publication
}

// New returns a publisher that does nothing until Start.
func New(cfg Config) *Publisher {
	cfg.setDefaults()
	return &Publisher{
		cfg:    cfg,
		log:    cfg.Env.Log().With("subsystem", "gns-publisher"),
		labels: make(map[labelKey]*labelState),
	}
}

// Stats returns the counters.
func (p *Publisher) Stats() Stats { return p.stats }
