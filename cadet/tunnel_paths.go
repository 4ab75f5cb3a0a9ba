package cadet

import (
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// Rerouting: a tunnel with something to carry and no connection retries
// after rerouteMin, doubling to rerouteMax, so it recovers within seconds
// once a peer on its path is back. A path that broke within brokenPathHold
// is tried only when no other path is left, and at most once per retry.
// A lookup's paths go before up to maxKnownPaths older ones, which a
// lookup without paths (a cached HELLO with no route) leaves in place.
const (
	rerouteMin     = 500 * time.Millisecond
	rerouteMax     = 4 * time.Second
	brokenPathHold = 10 * time.Second
	maxKnownPaths  = 8
)

// wanted reports whether the tunnel needs connections: it has channels,
// queued messages or callers waiting for a path.
func (t *tunnel) wanted() bool {
	return len(t.channels) > 0 || len(t.queue) > 0 || len(t.pathWait) > 0 || t.hs != nil
}

// ensureConnections starts connections until ConnectionsPerTunnel are up
// or being created: the direct link first, then known paths, then a new
// lookup.
func (t *tunnel) ensureConnections() {
	if t.dead || t.ensuring {
		return
	}
	t.ensuring = true
	defer func() { t.ensuring = false }()
	want := t.e.cfg.ConnectionsPerTunnel
	if len(t.conns) < want && isNeighbour(t.e, t.peer) {
		t.startConnection([]identity.PeerID{t.peer})
	}
	fresh, stale := t.candidatePaths()
	t.startConnections(fresh, want)
	// A broken path waits for the retry timer, so a path whose target is
	// away is not rebuilt each time its CREATE comes back BROKEN.
	if len(t.conns) == 0 && len(stale) > 0 && t.retry == nil {
		t.startConnections(stale, want)
		t.armRetry()
	}
	if len(t.conns) < want {
		t.findPaths()
	}
	if len(t.conns) == 0 && t.wanted() {
		t.armRetry()
	}
}

// startConnections starts connections over paths until want exist.
func (t *tunnel) startConnections(paths [][]identity.PeerID, want int) {
	for _, p := range paths {
		if len(t.conns) >= want {
			return
		}
		t.startConnection(p)
	}
}

// candidatePaths returns the known paths not in use whose first hop is a
// neighbour, split into fresh ones and recently broken ones, the oldest
// failure first.
func (t *tunnel) candidatePaths() (fresh, stale [][]identity.PeerID) {
	now := t.e.now()
	for _, p := range t.paths {
		if t.inUse(p) || len(p) == 0 || !isNeighbour(t.e, p[0]) {
			continue
		}
		if now.Sub(t.failed[pathKey(p)]) < brokenPathHold {
			stale = append(stale, p)
			continue
		}
		fresh = append(fresh, p)
	}
	sort.SliceStable(stale, func(i, j int) bool {
		return t.failed[pathKey(stale[i])].Before(t.failed[pathKey(stale[j])])
	})
	return fresh, stale
}

// rememberPaths puts the paths of a lookup before the known ones, without
// duplicates, and keeps at most maxKnownPaths.
func (t *tunnel) rememberPaths(found [][]identity.PeerID) {
	seen := map[string]bool{}
	var paths [][]identity.PeerID
	for _, p := range slices.Concat(found, t.paths) {
		if k := pathKey(p); len(p) > 0 && !seen[k] && len(paths) < maxKnownPaths {
			seen[k] = true
			paths = append(paths, p)
		}
	}
	t.paths = paths
}

func pathKey(hops []identity.PeerID) string {
	var b strings.Builder
	for _, p := range hops {
		b.Write(p[:])
	}
	return b.String()
}

func (t *tunnel) inUse(hops []identity.PeerID) bool {
	key := pathKey(hops)
	for _, c := range t.conns {
		if pathKey(c.path[1:]) == key {
			return true
		}
	}
	return false
}

// startConnection creates a connection over hops (the peers after this
// one, target last), unless that path is in use or loops.
func (t *tunnel) startConnection(hops []identity.PeerID) {
	if t.inUse(hops) || hops[len(hops)-1] != t.peer || len(hops)+1 > wire.MaxPathLen {
		return
	}
	path := append([]identity.PeerID{t.e.self}, hops...)
	if _, ok := checkPath(path, t.peer, path[len(path)-2]); !ok {
		return
	}
	c := &connection{t: t, cid: t.e.newConnID(), hop: hops[0], path: path, initiator: true, lastRecv: t.e.now()}
	t.conns = append(t.conns, c)
	t.e.conns[c.cid] = c
	c.start()
	t.needKeys()
}

func (e *Engine) newConnID() wire.ConnID {
	for {
		var cid wire.ConnID
		if _, err := io.ReadFull(e.env.Rand(), cid[:]); err != nil {
			panic("cadet: random source failed: " + err.Error())
		}
		if e.conns[cid] == nil && !e.relay.has(cid) {
			return cid
		}
	}
}

// acceptConnection adds the far end of a connection the peer created.
func (t *tunnel) acceptConnection(from identity.PeerID, m *wire.Create) {
	c := &connection{t: t, cid: m.CID, hop: from, path: m.Path, lastRecv: t.e.now()}
	t.conns = append(t.conns, c)
	t.e.conns[c.cid] = c
	c.sendCreateAck()
	c.makeReady()
}

// findPaths starts a PathFinder lookup unless one is pending.
func (t *tunnel) findPaths() {
	if t.looking || t.e.cfg.Paths == nil {
		return
	}
	t.looking = true
	cancel := t.e.cfg.Paths.FindPaths(t.peer, t.pathsFound)
	if t.looking {
		t.lookup = cancel
	}
}

func (t *tunnel) pathsFound(paths [][]identity.PeerID, h *hello.Hello) {
	t.looking, t.lookup = false, nil
	if t.dead {
		return
	}
	t.rememberPaths(paths)
	if h != nil && !isNeighbour(t.e, t.peer) {
		t.e.links.Connect(h)
	}
	before := len(t.conns)
	t.ensureConnectionsNoLookup()
	if before == 0 && len(t.conns) == 0 && h == nil {
		t.failWaiters(ErrNoPath)
	}
}

// ensureConnectionsNoLookup uses only known paths; a lookup just ended.
func (t *tunnel) ensureConnectionsNoLookup() {
	t.looking = true
	t.ensureConnections()
	t.looking = false
}

func (t *tunnel) armRetry() {
	if t.retry != nil || t.dead {
		return
	}
	t.backoff = min(max(t.backoff*2, rerouteMin), rerouteMax)
	t.retry = t.e.env.After(t.backoff, func() {
		t.retry = nil
		if t.wanted() {
			t.ensureConnections()
		}
	})
}

// linkUp retries a tunnel that had no connection, since a new neighbour
// may be the peer itself or a first hop.
func (t *tunnel) linkUp(peer identity.PeerID) {
	if len(t.conns) < t.e.cfg.ConnectionsPerTunnel && t.wanted() {
		t.ensureConnections()
	}
}

// connectionReady starts or resumes the handshake and sends what waited.
func (t *tunnel) connectionReady(c *connection) {
	t.everUp, t.backoff = true, 0
	t.failWaiters(nil)
	if t.hs != nil && t.kxOn != c {
		t.sendKXInit()
	}
	t.needKeys()
	t.flush()
	for _, ch := range sortedChannels(t.channels) {
		ch.snd.pathChanged()
	}
}

// needKeys starts a handshake when the tunnel has something to carry, a
// connection, and neither keys nor a handshake in progress.
func (t *tunnel) needKeys() {
	if t.rat == nil && t.hs == nil && t.kxConnection() != nil && t.wanted() {
		t.startKX()
	}
}

// connectionLost drops a broken connection and reroutes if needed.
func (t *tunnel) connectionLost(c *connection) {
	for i, x := range t.conns {
		if x == c {
			t.conns = append(t.conns[:i], t.conns[i+1:]...)
			break
		}
	}
	now := t.e.now()
	for key, at := range t.failed {
		if now.Sub(at) >= brokenPathHold {
			delete(t.failed, key)
		}
	}
	t.failed[pathKey(c.path[1:])] = now
	if t.wanted() {
		t.ensureConnections()
	}
}

// whenConnected calls fn with nil once a connection is ready, or with
// ErrNoPath when a lookup finds none.
func (t *tunnel) whenConnected(fn func(error)) {
	if t.bestConnection() != nil {
		fn(nil)
		return
	}
	t.pathWait = append(t.pathWait, fn)
	t.ensureConnections()
}

func (t *tunnel) failWaiters(err error) {
	waiting := t.pathWait
	t.pathWait = nil
	for _, fn := range waiting {
		fn(err)
	}
}
