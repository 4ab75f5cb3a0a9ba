// Package dht is hush's R5N distributed hash table (draft-schanzen-r5n).
// Every message takes a random walk for its first log2(N) hops, then greedy
// routing over a Kademlia routing table. Messages fork into several
// parallel paths, so that the number of peers storing a block approaches a
// replication level.
// Each message carries a Bloom filter of the peers it visited, results
// travel back along the path of the GET that asked for them, and every hop
// validates blocks with the plugin of their block type.
//
// A DHT is a sans-IO state machine: CORE calls its core.Handler methods on
// the peer's loop, it sends through core.Links, and it reads time, timers
// and randomness from its loop.Env. All exported methods must be called on
// the peer's loop.
package dht

import (
	"context"
	"log/slog"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// DHT is one peer's R5N routing core.
type DHT struct {
	cfg   Config
	env   loop.Env
	links core.Links
	key   *identity.PrivateKey
	self  identity.PeerID
	// selfHelloKey is block.HelloKey(self), kept because lookups compare
	// keys with it.
	selfHelloKey Key
	store        Datastore
	blocks       *block.Registry
	hellos       *block.HelloPlugin
	log          *slog.Logger

	table      *table
	neighbours map[identity.PeerID]*neighbour
	requests   *requestTable
	gets       map[requestKey][]*getOp
	est        estimator
	connecting map[identity.PeerID]dialBackoff // peers asked for a link, until they link up

	maintainTimer loop.Timer
	// helloPublished is set once a maintenance round published our HELLO;
	// earlyRound while maintainSoon has moved the next round forward.
	helloPublished, earlyRound bool
	round                      uint64
	closed                     bool
	stats                      counters
}

type counters struct {
	in, out    [8]uint64
	dropped    uint64
	puts, gets uint64
}

var _ core.Handler = (*DHT)(nil)

// New returns the DHT of the peer with key, and starts its maintenance and
// size estimation timers. The caller registers it with CORE for
// core.ServiceDHT.
func New(cfg Config, env loop.Env, links core.Links, key *identity.PrivateKey, store Datastore) *DHT {
	cfg = cfg.withDefaults()
	self := key.PeerID()
	d := &DHT{
		cfg: cfg, env: env, links: links, key: key, self: self, store: store,
		selfHelloKey: block.HelloKey(self),
		blocks:       block.NewRegistry(),
		hellos:       cfg.VerifyCache.helloPlugin(),
		log:          env.Log().With("subsystem", "dht"),
		table:        newTable(self, cfg.BucketSize),
		neighbours:   make(map[identity.PeerID]*neighbour),
		requests:     newRequestTable(cfg.RequestLimit, cfg.RequestTTL),
		gets:         make(map[requestKey][]*getOp),
		connecting:   make(map[identity.PeerID]dialBackoff),
	}
	d.blocks.Register(d.hellos)
	d.startEstimate()
	d.scheduleMaintenance(loop.Jitter(env.Rand(), maintenanceStartDelay, 0.5))
	d.log.Info("dht started", "mode", cfg.Mode, "replication", cfg.Replication)
	return d
}

// Close stops the DHT's timers. Messages and link events after Close are
// ignored.
func (d *DHT) Close() {
	d.closed = true
	for _, t := range []loop.Timer{d.maintainTimer, d.est.timer, d.est.flush} {
		if t != nil {
			t.Stop()
		}
	}
	for _, ops := range d.gets {
		for _, op := range ops {
			op.stopTimers()
		}
	}
	for _, n := range d.neighbours {
		if n.grace != nil {
			n.grace.Stop()
		}
	}
}

// RegisterBlockType adds or replaces the plugin for p.Type().
func (d *DHT) RegisterBlockType(p block.Plugin) { d.blocks.Register(p) }

// Receive implements core.Handler.
func (d *DHT) Receive(from identity.PeerID, msg []byte) {
	t, err := wire.PeekType(msg)
	if err != nil || d.closed {
		d.drop(from, 0, err)
		return
	}
	if int(t) < len(d.stats.in) {
		d.stats.in[t]++
	}
	switch t {
	case wire.TypePut:
		d.handlePut(from, msg)
	case wire.TypeGet:
		d.handleGet(from, msg)
	case wire.TypeResult:
		d.handleResult(from, msg)
	case wire.TypeHello:
		d.handleHello(from, msg)
	case wire.TypeEstimate:
		d.handleEstimate(from, msg)
	default:
		d.drop(from, t, nil)
	}
}

// send hands msg to CORE and counts it.
func (d *DHT) send(to identity.PeerID, t wire.Type, msg []byte) {
	if len(msg) > core.MaxMessageSize {
		d.log.Warn("dht message too large, not sent", "type", t, "size", len(msg))
		return
	}
	if err := d.links.Send(to, core.ServiceDHT, msg); err != nil {
		d.debug("send failed", "type", t, "peer", to.Short(), "err", err)
		return
	}
	d.stats.out[t]++
}

// drop counts a message that is malformed or invalid. Peers get no reply.
func (d *DHT) drop(from identity.PeerID, t wire.Type, err error) {
	d.stats.dropped++
	d.debug("message dropped", "type", t, "peer", from.Short(), "err", err)
}

func (d *DHT) debug(msg string, args ...any) {
	if d.log.Enabled(context.Background(), slog.LevelDebug) {
		d.log.Debug(msg, args...)
	}
}

// Stats returns the DHT's counters.
func (d *DHT) Stats() Stats {
	st := d.store.Stats()
	s := Stats{
		TableSize: d.table.size(), Neighbours: len(d.neighbourIDs()),
		EstimatedSize: pow2(d.log2Size()),
		StoredBlocks:  st.Records, StoredBytes: st.Bytes,
		PendingGets: d.requests.len(),
		MessagesIn:  make(map[string]uint64), MessagesOut: make(map[string]uint64),
		Dropped: d.stats.dropped, Puts: d.stats.puts, Gets: d.stats.gets,
	}
	for t := wire.TypePut; t <= wire.TypeEstimate; t++ {
		s.MessagesIn[t.String()] = d.stats.in[t]
		s.MessagesOut[t.String()] = d.stats.out[t]
	}
	return s
}

// ownHello returns our current HELLO, or nil if CORE has none yet.
func (d *DHT) ownHello() *hello.Hello { return d.links.Hello() }
