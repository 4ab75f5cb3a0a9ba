package dht

import (
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// requestKey names the GETs that one result can answer.
type requestKey struct {
	key Key
	typ BlockType
}

// request is a GET forwarded by this peer for a neighbour: results for it go
// back to that neighbour.
type request struct {
	from    identity.PeerID
	opts    wire.Options
	filter  *block.ResultFilter
	expires time.Time
	dead    bool
}

// requestTable remembers forwarded GETs, bounded by a count limit and an
// expiry. When full, the oldest request is forgotten first.
type requestTable struct {
	limit int
	ttl   time.Duration
	byKey map[requestKey][]*request
	fifo  []*request // insertion order, with dead entries skipped
	live  int
}

func newRequestTable(limit int, ttl time.Duration) *requestTable {
	return &requestTable{limit: limit, ttl: ttl, byKey: make(map[requestKey][]*request)}
}

// add remembers a GET from a neighbour, replacing an earlier one with the
// same key and requester.
func (t *requestTable) add(k requestKey, from identity.PeerID, opts wire.Options, filter *block.ResultFilter, now time.Time) {
	for _, r := range t.byKey[k] {
		if r.from == from && !r.dead {
			r.opts, r.filter, r.expires = opts, filter, now.Add(t.ttl)
			return
		}
	}
	for t.live >= t.limit {
		t.evictOldest()
	}
	if len(t.fifo) >= 2*t.limit {
		t.sweep(now)
	}
	r := &request{from: from, opts: opts, filter: filter, expires: now.Add(t.ttl)}
	t.byKey[k] = append(t.byKey[k], r)
	t.fifo = append(t.fifo, r)
	t.live++
}

func (t *requestTable) evictOldest() {
	for len(t.fifo) > 0 {
		r := t.fifo[0]
		t.fifo = t.fifo[1:]
		if !r.dead {
			r.dead = true
			t.live--
			return
		}
	}
}

// lookup returns the live requests under k.
func (t *requestTable) lookup(k requestKey, now time.Time) []*request {
	var out []*request
	for _, r := range t.byKey[k] {
		if !r.dead && now.Before(r.expires) {
			out = append(out, r)
		}
	}
	return out
}

// sweep drops expired and evicted requests from the indexes.
func (t *requestTable) sweep(now time.Time) {
	for k, rs := range t.byKey {
		kept := rs[:0]
		for _, r := range rs {
			if !r.dead && now.Before(r.expires) {
				kept = append(kept, r)
			} else if !r.dead {
				r.dead = true
				t.live--
			}
		}
		if len(kept) == 0 {
			delete(t.byKey, k)
		} else {
			t.byKey[k] = kept
		}
	}
	fifo := t.fifo[:0]
	for _, r := range t.fifo {
		if !r.dead {
			fifo = append(fifo, r)
		}
	}
	t.fifo = fifo
}

func (t *requestTable) len() int { return t.live }
