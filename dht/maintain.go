package dht

import (
	"io"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/loop"
)

// maintenanceStartDelay is the delay before the first maintenance round,
// short so that a new peer bootstraps quickly once its first links are up.
const maintenanceStartDelay = 2 * time.Second

// bootstrapGetTimeout bounds the lookups of one maintenance round.
const bootstrapGetTimeout = 20 * time.Second

func keyspaceOf(k Key) keyspace.Position { return keyspace.OfKey(k) }

func (d *DHT) scheduleMaintenance(after time.Duration) {
	d.maintainTimer = d.env.After(after, d.maintain)
}

// maintainSoon moves the next maintenance round to about
// maintenanceStartDelay from now when no HELLO of ours is published yet. A peer whose first
// round found no link would otherwise stay unknown to the DHT, and out of
// reach of CADET paths, for a whole MaintenanceInterval.
func (d *DHT) maintainSoon() {
	if d.helloPublished || d.earlyRound || d.maintainTimer == nil {
		return
	}
	d.earlyRound = true
	d.maintainTimer.Stop()
	d.scheduleMaintenance(loop.Jitter(d.env.Rand(), maintenanceStartDelay, 0.5))
}

// maintain publishes our HELLO, looks up HELLOs near our own position and
// in a sparse bucket, connects to what it finds, and sweeps expired state.
func (d *DHT) maintain() {
	if d.closed {
		return
	}
	d.round++
	d.earlyRound = false
	d.publishHello()
	d.lookupNear(keyspace.KeyAt(d.table.self))
	if cpl, ok := d.sparseBucket(); ok {
		rest := keyspace.Position{}
		randomBytes(d.env.Rand(), rest[:])
		d.lookupNear(keyspace.KeyAt(keyspace.WithPrefix(d.table.self, cpl, rest)))
	}
	if _, err := d.store.Sweep(d.env.Now()); err != nil {
		d.log.Error("datastore sweep failed", "err", err)
	}
	d.requests.sweep(d.env.Now())
	d.scheduleMaintenance(loop.Jitter(d.env.Rand(), d.cfg.MaintenanceInterval, 0.1))
}

// publishHello stores our current HELLO under our HELLO key. It records
// the route, so that CADET can build a path to us from a lookup result.
func (d *DHT) publishHello() {
	h := d.ownHello()
	if h == nil || len(d.neighbourIDs()) == 0 {
		return
	}
	err := d.Put(block.HelloKey(d.self), block.TypeHello, h.Marshal(), h.Expires, PutOptions{RecordRoute: true})
	if err != nil {
		d.log.Warn("HELLO not published", "err", err)
		return
	}
	d.helloPublished = true
}

// lookupNear asks for HELLOs of peers near key and offers each to
// maybeConnect. The lookup is sent once; the next maintenance round repeats
// it.
func (d *DHT) lookupNear(key Key) {
	if len(d.neighbourIDs()) == 0 {
		return
	}
	opts := GetOptions{FindApproximate: true, Timeout: bootstrapGetTimeout}
	d.get(key, block.TypeHello, opts, 2*bootstrapGetTimeout, func(r Result) {
		if h, err := d.hellos.Parse(r.Data); err == nil {
			d.maybeConnect(h)
		}
	}, nil)
}

// sparseBucket picks a random bucket among those that a network of the
// estimated size should fill, and reports it if it has fewer than k peers.
func (d *DHT) sparseBucket() (int, bool) {
	depth := int(d.log2Size()) + 1
	cpl := loop.IntN(d.env.Rand(), min(depth, keyspace.Bits-1))
	return cpl, d.table.fill(cpl) < d.cfg.BucketSize
}

func randomBytes(r io.Reader, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := loop.Uint64(r)
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}
