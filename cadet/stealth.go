package cadet

import (
	"container/heap"
	"crypto/subtle"
	"encoding/binary"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
)

// refusalClass is the cause of a rejected channel open. Each class only
// counts, because the peer observes the same silence for all of them.
type refusalClass uint8

const (
	refusalNone refusalClass = iota
	refusalMalformed
	refusalUnknownPort
	refusalBadToken
	refusalStale
	refusalReplay
	refusalLimit
)

func (c refusalClass) String() string {
	return [...]string{"none", "malformed", "unknown-port", "bad-token", "stale", "replay", "limit"}[c]
}

// dummySecret keys the MAC for opens to unknown ports, so that they cost
// the same work as opens to stealth ports.
var dummySecret = [32]byte{}

// stealthIH is IH = BLAKE2b-256(key = S, "hush-stealth-ih" || p).
func stealthIH(secret *[32]byte, payload []byte) [32]byte {
	h, _ := blake2b.New256(secret[:])
	h.Write([]byte("hush-stealth-ih"))
	h.Write(payload)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// stealthAV is AV = BLAKE2b-256(key = S, "hush-stealth-av" || tunnel
// binding || destination peer ID || port hash || T || nonce || IH), with T
// as 8 big-endian bytes.
func stealthAV(secret *[32]byte, binding []byte, dest identity.PeerID, m *wire.ChannelOpen) [wire.TokenSize]byte {
	ih := stealthIH(secret, m.Payload)
	h, _ := blake2b.New256(secret[:])
	h.Write([]byte("hush-stealth-av"))
	h.Write(binding)
	h.Write(dest[:])
	h.Write(m.PortHash[:])
	h.Write(binary.BigEndian.AppendUint64(nil, m.T))
	h.Write(m.Nonce[:])
	h.Write(ih[:])
	var out [wire.TokenSize]byte
	h.Sum(out[:0])
	return out
}

// checkOpen decides whether to accept an open. It does the same work for
// every open, whatever fails: the port lookup, the MAC (against a dummy
// key for an unknown or public port), the time check and the replay cache
// lookup. A public port accepts any token; its existence is not secret.
func (e *Engine) checkOpen(t *tunnel, m *wire.ChannelOpen, parseErr error) (*port, refusalClass) {
	if m == nil {
		m = &wire.ChannelOpen{}
	}
	p := e.ports[m.PortHash]
	now := e.now()
	current, previous := p.secrets(now)
	av := stealthAV(current, t.binding, e.self, m)
	avPrevious := stealthAV(previous, t.binding, e.self, m)
	macOK := subtle.ConstantTimeCompare(av[:], m.AV[:])|subtle.ConstantTimeCompare(avPrevious[:], m.AV[:]) == 1
	fresh := withinWindow(now, m.T, e.cfg.StealthWindow)
	seen := e.replay.seen(m.AV, m.T, now, e.cfg.StealthWindow)
	switch {
	case parseErr != nil || !t.isPeerCTN(m.CTN):
		return nil, refusalMalformed
	case p == nil:
		return nil, refusalUnknownPort
	case p.secret == nil && len(t.channels) >= maxChannels && t.channels[m.CTN] == nil:
		return nil, refusalLimit
	case p.secret == nil:
		return p, refusalNone
	case !macOK:
		return nil, refusalBadToken
	case !fresh:
		return nil, refusalStale
	case seen:
		return nil, refusalReplay
	case len(t.channels) >= maxChannels && t.channels[m.CTN] == nil:
		return nil, refusalLimit
	}
	e.replay.add(m.AV, m.T, now, e.cfg.StealthWindow)
	return p, refusalNone
}

func withinWindow(now time.Time, t uint64, window time.Duration) bool {
	if t > uint64(1)<<62 {
		return false
	}
	d := now.Sub(time.Unix(int64(t), 0))
	return d <= window && d >= -window
}

// refuse counts a refused open and logs it at debug level at most once a
// second. Nothing is sent: the peer sees the same silence for every class.
func (e *Engine) refuse(t *tunnel, class refusalClass) {
	e.stats.Refused.add(class)
	if e.refusal.allow(e.now()) {
		e.debug("channel open refused", "peer", t.peer.Short(), "class", class.String(), "suppressed", e.refusal.takeSuppressed())
	}
}

// rateLimitedLog lets one line through per interval and counts the rest.
type rateLimitedLog struct {
	every      time.Duration
	last       time.Time
	suppressed uint64
}

func (r *rateLimitedLog) allow(now time.Time) bool {
	if !r.last.IsZero() && now.Sub(r.last) < r.every {
		r.suppressed++
		return false
	}
	r.last = now
	return true
}

func (r *rateLimitedLog) takeSuppressed() uint64 {
	n := r.suppressed
	r.suppressed = 0
	return n
}

// replayCache remembers the AVs of accepted stealth opens while their T is
// inside the window. It holds at most size entries. When full, the entry
// with the oldest T goes, and every T up to it counts as replayed from
// then on (the floor), so eviction can never let a replay through. Under
// a flood, honest opens with an equally old T are rejected too.
type replayCache struct {
	size    int
	entries map[[wire.TokenSize]byte]bool
	byT     replayHeap
	floor   uint64
	hasFlr  bool
}

func newReplayCache(size int) *replayCache {
	return &replayCache{size: size, entries: map[[wire.TokenSize]byte]bool{}}
}

func (c *replayCache) seen(av [wire.TokenSize]byte, t uint64, now time.Time, window time.Duration) bool {
	c.expire(now, window)
	return c.entries[av] || (c.hasFlr && t <= c.floor)
}

func (c *replayCache) add(av [wire.TokenSize]byte, t uint64, now time.Time, window time.Duration) {
	c.entries[av] = true
	heap.Push(&c.byT, replayEntry{av: av, t: t})
	for len(c.byT) > c.size {
		old := heap.Pop(&c.byT).(replayEntry)
		delete(c.entries, old.av)
		c.floor, c.hasFlr = max(c.floor, old.t), true
	}
}

// expire drops entries whose T left the window: a replay of them fails
// the time check anyway.
func (c *replayCache) expire(now time.Time, window time.Duration) {
	for len(c.byT) > 0 && !withinWindow(now, c.byT[0].t, window) && time.Unix(int64(c.byT[0].t), 0).Before(now) {
		old := heap.Pop(&c.byT).(replayEntry)
		delete(c.entries, old.av)
	}
}

func (c *replayCache) len() int { return len(c.entries) }

type replayEntry struct {
	av [wire.TokenSize]byte
	t  uint64
}

type replayHeap []replayEntry

func (h replayHeap) Len() int           { return len(h) }
func (h replayHeap) Less(i, j int) bool { return h[i].t < h[j].t }
func (h replayHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *replayHeap) Push(x any)        { *h = append(*h, x.(replayEntry)) }
func (h *replayHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
