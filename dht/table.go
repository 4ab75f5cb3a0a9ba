package dht

import (
	"bytes"
	"slices"
	"time"

	kbucket "github.com/libp2p/go-libp2p-kbucket"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// table is the routing table: the kbucket table holds bucket membership,
// and this wrapper keeps what routing decisions read. Members are peers we
// hold or recently held a link to. Peers whose bucket is full wait in
// waiting; they are promoted, longest-linked first, when a member leaves,
// so a full bucket keeps its long-lived peers.
//
// kbucket stamps wall-clock times on its entries, but nothing here reads
// them: peers are added as irreplaceable, so kbucket never evicts by time,
// and closest peers are computed from this wrapper's own positions. A
// simulation therefore depends only on its seed.
type table struct {
	rt      *kbucket.RoutingTable
	self    keyspace.Position
	members map[identity.PeerID]*member
	waiting map[identity.PeerID]time.Time
	byP2P   map[peer.ID]identity.PeerID
	byPos   map[keyspace.Position]identity.PeerID
}

type member struct {
	pos keyspace.Position
	pid peer.ID
	// bits and helloKey are cached because routing reads them for every
	// member on every message.
	bits     wire.PeerFilterBitsOf
	helloKey block.Key
	// up is false during the grace period after the link went down.
	up bool
}

// noLatency satisfies kbucket's latency metrics; hush filters no peer by
// latency.
type noLatency struct{}

func (noLatency) RecordLatency(peer.ID, time.Duration) {}
func (noLatency) LatencyEWMA(peer.ID) time.Duration    { return 0 }
func (noLatency) RemovePeer(peer.ID)                   {}

func newTable(self identity.PeerID, bucketSize int) *table {
	pos := keyspace.OfPeer(self)
	rt, err := kbucket.NewRoutingTable(bucketSize, pos[:], time.Hour, noLatency{}, 0, nil)
	if err != nil {
		panic("dht: kbucket.NewRoutingTable failed without a diversity filter: " + err.Error())
	}
	return &table{
		rt: rt, self: pos,
		members: make(map[identity.PeerID]*member),
		waiting: make(map[identity.PeerID]time.Time),
		byP2P:   make(map[peer.ID]identity.PeerID),
		byPos:   make(map[keyspace.Position]identity.PeerID),
	}
}

// linkUp adds p as a member, or marks it up again, or makes it wait for
// room in its bucket. It reports whether p is a member afterwards.
func (t *table) linkUp(p identity.PeerID, now time.Time) bool {
	if m, ok := t.members[p]; ok {
		m.up = true
		return true
	}
	if t.tryAdd(p) {
		return true
	}
	if _, ok := t.waiting[p]; !ok {
		t.waiting[p] = now
	}
	return false
}

func (t *table) tryAdd(p identity.PeerID) bool {
	pid, err := keyspace.LibP2PID(p)
	if err != nil {
		return false
	}
	added, err := t.rt.TryAddPeer(pid, false, false)
	if err != nil || !added {
		return false
	}
	t.members[p] = &member{pos: keyspace.OfPeer(p), pid: pid, up: true, bits: wire.PeerBits(p), helloKey: block.HelloKey(p)}
	t.byP2P[pid] = p
	t.byPos[t.members[p].pos] = p
	delete(t.waiting, p)
	return true
}

// linkDown marks a member as down, or forgets a waiting peer. It reports
// whether p is a member that now needs a grace timer.
func (t *table) linkDown(p identity.PeerID) bool {
	delete(t.waiting, p)
	m, ok := t.members[p]
	if !ok {
		return false
	}
	m.up = false
	return true
}

// expire removes p if its link is still down, then promotes waiting peers.
func (t *table) expire(p identity.PeerID) {
	m, ok := t.members[p]
	if !ok || m.up {
		return
	}
	t.rt.RemovePeer(m.pid)
	delete(t.members, p)
	delete(t.byP2P, m.pid)
	delete(t.byPos, m.pos)
	t.promote()
}

// promote adds waiting peers, longest waiting first, while they fit.
func (t *table) promote() {
	ids := make([]identity.PeerID, 0, len(t.waiting))
	for p := range t.waiting {
		ids = append(ids, p)
	}
	slices.SortFunc(ids, func(a, b identity.PeerID) int {
		if c := t.waiting[a].Compare(t.waiting[b]); c != 0 {
			return c
		}
		return a.Compare(b)
	})
	for _, p := range ids {
		t.tryAdd(p)
	}
}

// size returns the number of members, up or in their grace period.
func (t *table) size() int { return len(t.members) }

// up returns the members with a link up, in ID order.
func (t *table) up() []identity.PeerID {
	out := make([]identity.PeerID, 0, len(t.members))
	for p, m := range t.members {
		if m.up {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, identity.PeerID.Compare)
	return out
}

// closest returns up to n members with a link up that filter (if not nil)
// does not contain, nearest to target first, by brute-force XOR distance.
func (t *table) closest(target keyspace.Position, n int, filter *wire.PeerFilter) []identity.PeerID {
	cands := make([]ranked, 0, len(t.members))
	for p, m := range t.members {
		if m.up && (filter == nil || !filter.ContainsBits(m.bits)) {
			cands = append(cands, ranked{dist: keyspace.Distance(m.pos, target), peer: p})
		}
	}
	n = min(n, len(cands))
	if n < len(cands)/4 {
		cands = selectNearest(cands, n)
	} else {
		slices.SortFunc(cands, ranked.compare)
	}
	out := make([]identity.PeerID, n)
	for i := range out {
		out[i] = cands[i].peer
	}
	return out
}

// ranked is a peer with its distance to a target.
type ranked struct {
	dist keyspace.Position
	peer identity.PeerID
}

func (a ranked) compare(b ranked) int { return bytes.Compare(a.dist[:], b.dist[:]) }

// selectNearest moves the n nearest of cands to its front, in order, by n
// passes of selection, cheaper than a sort when n is small.
func selectNearest(cands []ranked, n int) []ranked {
	for i := range n {
		best := i
		for j := i + 1; j < len(cands); j++ {
			if cands[j].compare(cands[best]) < 0 {
				best = j
			}
		}
		cands[i], cands[best] = cands[best], cands[i]
	}
	return cands
}

// anyCloser reports whether a member with a link up that filter does not
// contain is closer to target than pos.
func (t *table) anyCloser(pos, target keyspace.Position, filter *wire.PeerFilter) bool {
	for _, m := range t.members {
		if m.up && !filter.ContainsBits(m.bits) && keyspace.Closer(m.pos, pos, target) {
			return true
		}
	}
	return false
}

// withHelloKey returns the up member whose HELLO key is key. A HELLO key
// starts with its peer's position, so a map lookup finds the candidate.
func (t *table) withHelloKey(key block.Key) (identity.PeerID, bool) {
	p, ok := t.byPos[keyspace.OfKey(key)]
	if !ok {
		return p, false
	}
	m := t.members[p]
	return p, m.up && m.helloKey == key
}

// helloKey returns a member's HELLO key.
func (t *table) helloKey(p identity.PeerID) block.Key { return t.members[p].helloKey }

// position returns a member's position.
func (t *table) position(p identity.PeerID) keyspace.Position { return t.members[p].pos }

// wouldAccept reports whether a peer at p's position would get a place in
// its bucket now.
func (t *table) wouldAccept(p identity.PeerID) bool {
	if _, ok := t.members[p]; ok {
		return false
	}
	pid, err := keyspace.LibP2PID(p)
	return err == nil && t.rt.UsefulNewPeer(pid)
}

// fill returns the number of members sharing cpl leading bits with us.
func (t *table) fill(cpl int) int { return t.rt.NPeersForCpl(uint(cpl)) }
