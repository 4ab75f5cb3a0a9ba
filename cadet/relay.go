package cadet

import (
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// route is one connection passing through this peer. A relay stores only
// the connection ID and its two neighbours on the path. It forwards every
// message but CREATE without reading past the connection ID.
type route struct {
	prev, next identity.PeerID
	lastActive time.Time
}

// relayTable holds the routes of connections this peer relays. It is
// bounded by Config.MaxRoutes: when full, a new CREATE gets BROKEN in
// return, so established routes are never evicted. Routes idle for
// deadAfter+1 keepalive intervals expire: both ends of a live connection
// send at least one message per interval, and the ends give up after
// deadAfter.
type relayTable struct {
	e      *Engine
	routes map[wire.ConnID]*route
	sweep  loop.Timer
}

func newRelayTable(e *Engine) *relayTable {
	return &relayTable{e: e, routes: map[wire.ConnID]*route{}}
}

func (r *relayTable) has(cid wire.ConnID) bool { return r.routes[cid] != nil }

func (r *relayTable) idleLimit() time.Duration { return (deadAfter + 1) * r.e.cfg.KeepaliveInterval }

// create stores a route for m and forwards the CREATE to next. A repeated
// CREATE from the same neighbour is forwarded again, since the first may
// have been lost further on.
func (r *relayTable) create(from identity.PeerID, m *wire.Create, next identity.PeerID, msg []byte) {
	if rt := r.routes[m.CID]; rt != nil {
		if rt.prev == from && rt.next == next {
			rt.lastActive = r.e.now()
			r.e.sendTo(next, msg)
		}
		return
	}
	if len(r.routes) >= r.e.cfg.MaxRoutes || r.e.conns[m.CID] != nil {
		r.e.sendTo(from, (&wire.Broken{CID: m.CID}).Append(nil))
		return
	}
	if err := r.e.sendTo(next, msg); err != nil {
		r.e.sendTo(from, (&wire.Broken{CID: m.CID}).Append(nil))
		return
	}
	r.routes[m.CID] = &route{prev: from, next: next, lastActive: r.e.now()}
	r.e.debug("relay route added", "cid", m.CID.Short(), "prev", from.Short(), "next", next.Short())
	r.armSweep()
}

// forward passes a connection message on to the other side of its route.
// For an unknown connection, data gets BROKEN in return so that the
// sender reroutes, as after a relay restart.
func (r *relayTable) forward(from identity.PeerID, typ wire.Type, cid wire.ConnID, msg []byte) {
	rt := r.routes[cid]
	if rt == nil {
		r.unknown(from, typ, cid)
		return
	}
	to, ok := rt.other(from)
	if !ok {
		return
	}
	rt.lastActive = r.e.now()
	if typ == wire.TypeBroken || typ == wire.TypeDestroy {
		delete(r.routes, cid)
	}
	if err := r.e.sendTo(to, msg); err != nil && typ != wire.TypeBroken && typ != wire.TypeDestroy {
		delete(r.routes, cid)
		r.e.sendTo(from, (&wire.Broken{CID: cid}).Append(nil))
	}
}

// unknown replies to a message for a connection this peer has no route for
// with BROKEN. A KX_INIT gets nothing: it follows its CREATE closely and
// may overtake a lost one, which the CREATE's retransmission repairs.
func (r *relayTable) unknown(from identity.PeerID, typ wire.Type, cid wire.ConnID) {
	switch typ {
	case wire.TypeBroken, wire.TypeDestroy, wire.TypeCreateAck, wire.TypeKXInit:
		return
	}
	r.e.sendTo(from, (&wire.Broken{CID: cid}).Append(nil))
}

func (rt *route) other(from identity.PeerID) (identity.PeerID, bool) {
	switch from {
	case rt.prev:
		return rt.next, true
	case rt.next:
		return rt.prev, true
	}
	return identity.PeerID{}, false
}

// linkDown breaks every route over the lost link and sends BROKEN to the
// neighbour on the other side.
func (r *relayTable) linkDown(peer identity.PeerID) {
	for _, cid := range sortedRouteIDs(r.routes) {
		rt := r.routes[cid]
		to, ok := rt.other(peer)
		if !ok {
			continue
		}
		delete(r.routes, cid)
		r.e.sendTo(to, (&wire.Broken{CID: cid}).Append(nil))
	}
}

func (r *relayTable) armSweep() {
	if r.sweep != nil {
		return
	}
	r.sweep = r.e.env.After(r.e.cfg.KeepaliveInterval, r.expire)
}

// expire drops idle routes silently: their ends already gave up on them.
func (r *relayTable) expire() {
	r.sweep = nil
	now := r.e.now()
	for cid, rt := range r.routes {
		if now.Sub(rt.lastActive) >= r.idleLimit() {
			delete(r.routes, cid)
		}
	}
	if len(r.routes) > 0 {
		r.armSweep()
	}
}

func (r *relayTable) clear() {
	if r.sweep != nil {
		r.sweep.Stop()
		r.sweep = nil
	}
	clear(r.routes)
}
