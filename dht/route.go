package dht

import (
	"io"
	"math"

	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// Routing decisions, kept free of DHT state so they can be tested alone.

// forwardCount returns how many peers a message with the given hop count
// goes to next, following R5N's rule. Past 4·log2(N) hops it is none, past
// 2·log2(N) hops one. Before that it is 1 + (r-1)/(log2(N) + (r-1)·hops),
// rounded up or down at random with the fraction as probability, so that
// the expected number of parallel paths approaches the replication level r.
// u is a uniform random number in [0, 1).
func forwardCount(hops int, replication int, log2N float64, u float64) int {
	if float64(hops) > 4*log2N {
		return 0
	}
	if float64(hops) > 2*log2N {
		return 1
	}
	r := float64(replication - 1)
	target := 1 + r/(log2N+r*float64(hops))
	n := math.Floor(target)
	if u < target-n {
		n++
	}
	return int(n)
}

// randomPhase reports whether a message is still in R5N's random walk,
// which lasts log2(N) hops so that its end point is a uniformly random peer.
func randomPhase(hops int, log2N float64) bool { return float64(hops) < log2N }

// amClosest reports whether self is at least as close to target as every
// candidate.
func amClosest(self, target keyspace.Position, cands []keyspace.Position) bool {
	for _, c := range cands {
		if keyspace.Closer(c, self, target) {
			return false
		}
	}
	return true
}

// pickRandom returns n distinct elements of cands chosen with r, in the
// order drawn. It does not modify cands.
func pickRandom(cands []identity.PeerID, n int, r io.Reader) []identity.PeerID {
	c := append([]identity.PeerID(nil), cands...)
	loop.Shuffle(r, len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c[:min(n, len(c))]
}

// uniform returns a random float64 in [0, 1).
func uniform(r io.Reader) float64 { return float64(loop.Uint64(r)>>11) / (1 << 53) }

// nextHops chooses the peers a message goes to next and adds them to its
// peer filter. Candidates are the table's up members outside the filter.
func (d *DHT) nextHops(target keyspace.Position, hops, replication int, filter *wire.PeerFilter) []identity.PeerID {
	if hops >= d.cfg.MaxHops {
		return nil
	}
	var out []identity.PeerID
	if d.cfg.Mode == ModeKademlia {
		out = d.table.closest(target, 1, filter)
		if len(out) == 1 && !keyspace.Closer(d.table.position(out[0]), d.table.self, target) {
			out = nil
		}
	} else {
		log2N := d.log2Size()
		n := forwardCount(hops, replication, log2N, uniform(d.env.Rand()))
		if randomPhase(hops, log2N) {
			out = pickRandom(d.table.closest(target, d.table.size(), filter), n, d.env.Rand())
		} else {
			out = d.table.closest(target, n, filter)
		}
	}
	for _, p := range out {
		filter.Add(p)
	}
	return out
}

// isClosest reports whether this peer should store a block under target:
// no up member outside filter is closer.
func (d *DHT) isClosest(target keyspace.Position, filter *wire.PeerFilter) bool {
	return !d.table.anyCloser(d.table.self, target, filter)
}
