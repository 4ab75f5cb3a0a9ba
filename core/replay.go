package core

import (
	"container/heap"
	"time"
)

// replayCache remembers the ephemeral keys of accepted first handshake
// messages, so an exact replay is dropped. An entry must outlive the window
// in which its timestamp is acceptable, so it is kept until its timestamp
// plus the clock skew has passed.
//
// The cache is bounded. When it is full, the entry with the oldest timestamp
// is evicted and the floor rises to that timestamp. From then on, first
// messages stamped at or before the floor are rejected as stale, so an
// evicted message can never be replayed. A flood of valid first messages
// can thus shrink the acceptance window, but never reopen it.
type replayCache struct {
	max   int
	skew  time.Duration
	seen  map[[keySize]byte]struct{}
	order replayHeap
	floor time.Time
}

type replayEntry struct {
	key  [keySize]byte
	sent time.Time
}

// newReplayCache returns an empty cache whose floor is just before start.
// The cache does not survive a restart, so a first message captured before
// the restart would pass it: the floor rejects every message stamped
// before this cache existed. A dialler whose clock lags ours may thus be
// refused for up to the lag after a restart; it dials again.
func newReplayCache(max int, skew time.Duration, start time.Time) *replayCache {
	floor := start.Truncate(time.Microsecond).Add(-time.Microsecond)
	return &replayCache{max: max, skew: skew, seen: make(map[[keySize]byte]struct{}), floor: floor}
}

// check classifies a first message stamped sent with ephemeral key key, at
// now, and records it when it is accepted.
func (r *replayCache) check(key [keySize]byte, sent, now time.Time) probeClass {
	r.expire(now)
	switch {
	case sent.Before(now.Add(-r.skew)) || !sent.After(r.floor):
		return probeStale
	case sent.After(now.Add(r.skew)):
		return probeFuture
	}
	if _, ok := r.seen[key]; ok {
		return probeReplay
	}
	if len(r.order) >= r.max {
		oldest := heap.Pop(&r.order).(replayEntry)
		delete(r.seen, oldest.key)
		r.floor = oldest.sent
	}
	r.seen[key] = struct{}{}
	heap.Push(&r.order, replayEntry{key: key, sent: sent})
	return probeNone
}

func (r *replayCache) expire(now time.Time) {
	for len(r.order) > 0 && r.order[0].sent.Add(r.skew).Before(now) {
		delete(r.seen, heap.Pop(&r.order).(replayEntry).key)
	}
}

func (r *replayCache) len() int { return len(r.order) }

type replayHeap []replayEntry

func (h replayHeap) Len() int           { return len(h) }
func (h replayHeap) Less(i, j int) bool { return h[i].sent.Before(h[j].sent) }
func (h replayHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *replayHeap) Push(x any)        { *h = append(*h, x.(replayEntry)) }
func (h *replayHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
