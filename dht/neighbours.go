package dht

import (
	"errors"
	"math"
	"slices"
	"time"

	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// neighbour is a peer with a link, or a routing table member in its grace
// period after the link went down.
type neighbour struct {
	up    bool
	hello *hello.Hello // from its HELLO message, nil until received
	grace loop.Timer
}

// LinkUp implements core.Handler: the peer joins the routing table, and
// gets our HELLO and our size estimation samples.
func (d *DHT) LinkUp(p identity.PeerID) {
	if d.closed || p == d.self {
		return
	}
	n := d.neighbours[p]
	if n == nil {
		n = &neighbour{}
		d.neighbours[p] = n
	}
	n.up = true
	delete(d.connecting, p)
	if n.grace != nil {
		n.grace.Stop()
		n.grace = nil
	}
	d.table.linkUp(p, d.env.Now())
	d.maintainSoon()
	if h := d.ownHello(); h != nil {
		d.send(p, wire.TypeHello, (&wire.Hello{Hello: h}).Append(nil))
	}
	d.sendEstimate(p)
}

// LinkDown implements core.Handler. A routing table member stays in the
// table for Config.FlapGrace, unused for routing, so that a flapping link
// does not cost its place.
func (d *DHT) LinkDown(p identity.PeerID) {
	n := d.neighbours[p]
	if d.closed || n == nil {
		return
	}
	n.up = false
	if !d.table.linkDown(p) {
		delete(d.neighbours, p)
		return
	}
	n.grace = d.env.After(d.cfg.FlapGrace, func() {
		if !n.up {
			d.table.expire(p)
			delete(d.neighbours, p)
		}
	})
}

// neighbourIDs returns the peers with a link up, in ID order.
func (d *DHT) neighbourIDs() []identity.PeerID {
	out := make([]identity.PeerID, 0, len(d.neighbours))
	for p, n := range d.neighbours {
		if n.up {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, identity.PeerID.Compare)
	return out
}

// handleHello keeps a neighbour's own HELLO for answering HELLO lookups.
func (d *DHT) handleHello(from identity.PeerID, msg []byte) {
	m, err := wire.ParseHello(msg)
	if err == nil && m.Hello.Peer != from {
		err = errors.New("dht: HELLO message names another peer")
	}
	n := d.neighbours[from]
	if err != nil || n == nil || m.Hello.Expired(d.env.Now()) {
		d.drop(from, wire.TypeHello, err)
		return
	}
	if m.Hello.Newer(n.hello) {
		n.hello = m.Hello
	}
}

// maybeConnect asks CORE for a link to h's peer if the peer would fill a
// sparse bucket and the link limit allows, counting requested links that
// are not up yet. A peer asked for before is asked
// again only after a backoff that doubles with each attempt, so that peers
// CORE cannot reach (behind a restricted topology, or gone) cost no
// handshake storm.
func (d *DHT) maybeConnect(h *hello.Hello) {
	p := h.Peer
	now := d.env.Now()
	if p == d.self || h.Expired(now) || d.neighbours[p] != nil {
		return
	}
	b, asked := d.connecting[p]
	if asked && now.Before(b.next) {
		return
	}
	if d.linksUp()+d.pendingDials(now) >= d.cfg.LinkLimit || !d.table.wouldAccept(p) {
		return
	}
	d.connecting[p] = b.advance(now, d.cfg.MaintenanceInterval)
	d.pruneConnecting(now)
	d.debug("connecting for sparse bucket", "peer", p.Short())
	d.links.Connect(h)
}

// connectBackoffMax caps the wait between link requests to one peer.
const connectBackoffMax = 4 * time.Hour

// connectMemory bounds the peers whose backoff is remembered.
const connectMemory = 1024

// dialBackoff is when a peer may next be asked for, and how long the wait
// after that attempt will be.
type dialBackoff struct {
	next time.Time
	wait time.Duration
}

// advance records an attempt at now and returns the next state. The first
// wait lasts first, and each later one twice the one before.
func (b dialBackoff) advance(now time.Time, first time.Duration) dialBackoff {
	wait := first
	if b.wait > 0 {
		wait = min(2*b.wait, connectBackoffMax)
	}
	return dialBackoff{next: now.Add(wait), wait: wait}
}

// linksUp returns the number of neighbours with a link up.
func (d *DHT) linksUp() int {
	n := 0
	for _, nb := range d.neighbours {
		if nb.up {
			n++
		}
	}
	return n
}

// pendingDials returns the number of peers asked for whose link is not up
// and whose backoff has not run out. They count against Config.LinkLimit,
// so that a peer whose dials fail asks for no more links than it could use.
func (d *DHT) pendingDials(now time.Time) int {
	n := 0
	for _, b := range d.connecting {
		if now.Before(b.next) {
			n++
		}
	}
	return n
}

// pruneConnecting forgets backoffs that have run out when too many are
// remembered, and all of them if that is not enough.
func (d *DHT) pruneConnecting(now time.Time) {
	if len(d.connecting) <= connectMemory {
		return
	}
	for p, b := range d.connecting {
		if now.After(b.next) {
			delete(d.connecting, p)
		}
	}
	if len(d.connecting) > connectMemory {
		clear(d.connecting)
	}
}

func pow2(x float64) float64 { return math.Exp2(x) }
