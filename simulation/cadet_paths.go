package simulation

import (
	"slices"
	"time"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// pathLookupTimeout bounds the DHT lookup behind one FindPaths call.
const pathLookupTimeout = 10 * time.Second

// announceLifetime outlives every run.
const announceLifetime = 24 * time.Hour

// announceKey is the DHT key under which a peer announces itself for
// CADET path discovery.
func announceKey(id identity.PeerID) block.Key {
	return block.KeyForString("hush-sim-cadet-announce:" + id.String())
}

// announce PUTs p's announcement with its route recorded, so that a lookup
// learns a path from the storing peer back to p.
func (w *world) announce(p *peer) {
	if p.services.dht == nil || w.offline[p.index] {
		return
	}
	opts := dht.PutOptions{RecordRoute: true}
	if err := p.services.dht.Put(announceKey(p.id), block.TypeTest, p.id[:], p.env.Now().Add(announceLifetime), opts); err != nil {
		w.cfg.Log.Error("simulation: CADET announcement failed", "peer", p.index, "err", err)
	}
}

// dhtPaths is CADET's PathFinder on a peer's DHT. Every peer announces
// itself with a recorded PUT route. A lookup of the announcement with a
// recorded GET route then gives a path from here to the storing peer and
// on to the target. The DHTs run without result caching in this workload,
// because a cached copy carries no route. Such a path is often longer than
// a CREATE can carry, so each path starts at its last hop that is a
// neighbour. The lookup takes the first path that fits, or else the
// shortest one when it ends.
type dhtPaths struct {
	p *peer
}

var _ cadet.PathFinder = dhtPaths{}

func (f dhtPaths) FindPaths(target identity.PeerID, cb func([][]identity.PeerID, *hello.Hello)) (cancel func()) {
	p := f.p
	if slices.Contains(p.core.Neighbours(), target) {
		timer := p.env.After(0, func() { cb([][]identity.PeerID{{target}}, nil) })
		return func() { timer.Stop() }
	}
	finished := false
	var handle dht.GetHandle
	var best []identity.PeerID
	onResult := func(r dht.Result) {
		if finished || string(r.Data) != string(target[:]) {
			return
		}
		path := shortcut(pathFromRoute(p.id, target, r), p.core.Neighbours())
		if best == nil || len(path) < len(best) {
			best = path
		}
		if len(best)+1 <= wire.MaxPathLen {
			finished = true
			handle.Cancel()
			cb([][]identity.PeerID{best}, nil)
		}
	}
	onDone := func() {
		if finished {
			return
		}
		finished = true
		if best == nil {
			cb(nil, nil)
			return
		}
		cb([][]identity.PeerID{best}, nil)
	}
	opts := dht.GetOptions{RecordRoute: true, Timeout: pathLookupTimeout}
	handle = p.services.dht.Get(announceKey(target), block.TypeTest, opts, onResult, onDone)
	return handle.Cancel
}

// pathFromRoute turns an announcement lookup's recorded route into a
// path from self to target. The result came back along the GET path, so
// its reverse leads from self to the peer that stored the announcement,
// and the reversed PUT path continues from there to its origin, the
// target. Loops are cut.
func pathFromRoute(self, target identity.PeerID, r dht.Result) []identity.PeerID {
	var path []identity.PeerID
	for i := len(r.GetPath) - 1; i >= 0; i-- {
		path = appendHop(path, self, r.GetPath[i])
	}
	for i := len(r.PutPath) - 1; i >= 0; i-- {
		path = appendHop(path, self, r.PutPath[i])
	}
	if i := slices.Index(path, target); i >= 0 {
		path = path[:i+1]
	} else {
		path = append(path, target)
	}
	return path
}

// shortcut starts path at its last hop that is a neighbour of this peer,
// since a link to that hop skips every hop before it.
func shortcut(path, neighbours []identity.PeerID) []identity.PeerID {
	for i := len(path) - 1; i > 0; i-- {
		if slices.Contains(neighbours, path[i]) {
			return path[i:]
		}
	}
	return path
}

// appendHop appends hop to path, cutting the path back to hop's earlier
// position if it repeats, and restarting it if hop is self.
func appendHop(path []identity.PeerID, self, hop identity.PeerID) []identity.PeerID {
	if hop == self {
		return path[:0]
	}
	if i := slices.Index(path, hop); i >= 0 {
		return path[:i+1]
	}
	return append(path, hop)
}

// startCADETEngine gives an honest peer its CADET engine; a malicious peer gets
// a handler that drops every CADET message, so it blackholes relayed
// connections.
func (w *world) startCADETEngine(p *peer) error {
	if p.malicious {
		return p.core.Register(core.ServiceCADET, w.maliciousHandler(p, core.ServiceCADET))
	}
	var env loop.Env = p.env
	if p.staleClock {
		env = skewedEnv{Env: p.env, skew: cadetStaleSkew}
	}
	e := cadet.New(cadet.Config{Key: p.key, Links: p.core, Env: env, Paths: dhtPaths{p}})
	p.services.cadet = e
	if err := p.core.Register(core.ServiceCADET, e); err != nil {
		return err
	}
	return w.listenCADET(p)
}
