package dht

import (
	"encoding/binary"
	"time"

	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// Recorded routes (R5N "Path" and its signatures). Each hop of a route signs
// the expiry of the message, the SHA-512 of the block, its predecessor and
// its successor, so nobody can splice a route together from parts. The
// first hop's predecessor is the zero peer ID, or the truncated origin if the
// oldest entries were dropped.

// pathSignContext separates path signatures from other peer-key signatures.
const pathSignContext = "hush-dht-path-v1\x00"

// route is a recorded route with its truncation state.
type route struct {
	entries   []wire.PathEntry
	truncated bool
	origin    identity.PeerID // predecessor of entries[0] when truncated
}

func pathSigned(expires time.Time, blockHash [64]byte, pred, succ identity.PeerID) []byte {
	b := []byte(pathSignContext)
	b = binary.BigEndian.AppendUint64(b, wire.TimeToMicros(expires))
	b = append(b, blockHash[:]...)
	b = append(b, pred[:]...)
	return append(b, succ[:]...)
}

// last returns the peer the next entry names as predecessor.
func (r *route) last() identity.PeerID {
	if n := len(r.entries); n > 0 {
		return r.entries[n-1].Peer
	}
	if r.truncated {
		return r.origin
	}
	return identity.PeerID{}
}

// verify checks the signatures from the newest entry back, with self as the
// successor of the newest, and at most limit entries. At the first bad
// signature it drops that entry and everything older, marks the route
// truncated and names the bad entry's peer as origin. It returns how many
// entries it dropped.
//
// Hops that forward or store a route do not check it: each hop's entry
// names its sender as predecessor, so a later full check truncates at the
// same entry. A peer that answers a GET from a stored route, or hands a
// route to the application, checks all of it (limit -1).
func (r *route) verify(self identity.PeerID, expires time.Time, blockHash [64]byte, limit int) int {
	return r.verifyWith(nil, self, expires, blockHash, limit)
}

// verifyWith is verify with signatures checked through cache.
func (r *route) verifyWith(cache *VerifyCache, self identity.PeerID, expires time.Time, blockHash [64]byte, limit int) int {
	succ := self
	stop := 0
	if limit >= 0 {
		stop = max(0, len(r.entries)-limit)
	}
	for i := len(r.entries) - 1; i >= stop; i-- {
		pred := r.predecessor(i)
		e := r.entries[i]
		if !cache.verify(e.Peer, pathSigned(expires, blockHash, pred, succ), e.Signature[:]) {
			r.truncated, r.origin = true, e.Peer
			r.entries = r.entries[i+1:]
			return i + 1
		}
		succ = e.Peer
	}
	return 0
}

func (r *route) predecessor(i int) identity.PeerID {
	if i > 0 {
		return r.entries[i-1].Peer
	}
	if r.truncated {
		return r.origin
	}
	return identity.PeerID{}
}

// extend returns a copy of r with an entry signed by key for the hop to
// succ appended. When room is the number of entries the message can still
// carry, the oldest entries are dropped to make it fit.
func (r route) extend(key *identity.PrivateKey, expires time.Time, blockHash [64]byte, succ identity.PeerID, room int) route {
	var e wire.PathEntry
	e.Peer = key.PeerID()
	copy(e.Signature[:], key.Sign(pathSigned(expires, blockHash, r.last(), succ)))
	out := route{entries: append(append([]wire.PathEntry(nil), r.entries...), e), truncated: r.truncated, origin: r.origin}
	for len(out.entries) > max(room, 1) {
		out.truncated, out.origin = true, out.entries[0].Peer
		out.entries = out.entries[1:]
	}
	return out
}

func (r *route) options() wire.Options {
	if r.truncated {
		return wire.Truncated
	}
	return 0
}

func peersOf(entries []wire.PathEntry) []identity.PeerID {
	out := make([]identity.PeerID, len(entries))
	for i, e := range entries {
		out[i] = e.Peer
	}
	return out
}
