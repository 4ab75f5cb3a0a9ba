package dht

import (
	"errors"
	"math"
	"slices"

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
	if n.grace != nil {
		n.grace.Stop()
		n.grace = nil
	}
	d.table.linkUp(p, d.env.Now())
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
// sparse bucket and the link limit allows. Each peer is asked for at most
// once per maintenance round.
func (d *DHT) maybeConnect(h *hello.Hello) {
	p := h.Peer
	if p == d.self || h.Expired(d.env.Now()) || d.neighbours[p] != nil {
		return
	}
	if last, ok := d.connecting[p]; ok && last == d.round {
		return
	}
	if len(d.neighbourIDs()) >= d.cfg.LinkLimit || !d.table.wouldAccept(p) {
		return
	}
	if len(d.connecting) >= 4*d.cfg.LinkLimit {
		clear(d.connecting)
	}
	d.connecting[p] = d.round
	d.debug("connecting for sparse bucket", "peer", p.Short())
	d.links.Connect(h)
}

func pow2(x float64) float64 { return math.Exp2(x) }
