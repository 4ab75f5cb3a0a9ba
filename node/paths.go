package node

import (
	"slices"
	"time"

	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// pathLookupTimeout bounds the DHT lookup of a target's HELLO.
const pathLookupTimeout = 10 * time.Second

// dhtPaths finds CADET paths: a neighbour directly, anyone else through
// the route that the lookup of its HELLO took. It runs on the loop.
type dhtPaths struct{ n *Node }

func (p dhtPaths) FindPaths(target identity.PeerID, cb func([][]identity.PeerID, *hello.Hello)) func() {
	n := p.n
	if slices.Contains(n.core.Neighbours(), target) {
		cb([][]identity.PeerID{{target}}, nil)
		return func() {}
	}
	l := &pathLookup{n: n, target: target, cb: cb}
	// FindApproximate keeps the GET going past a local copy of the HELLO,
	// which carries no route, so that results from the network arrive.
	opts := dht.GetOptions{RecordRoute: true, FindApproximate: true, Timeout: pathLookupTimeout}
	l.handle = n.dht.Get(block.HelloKey(target), block.TypeHello, opts, l.result, l.timeout)
	return l.cancel
}

// pathLookup collects the results of one HELLO lookup until one of them
// carries a route that yields a path. It runs on the loop.
type pathLookup struct {
	n      *Node
	target identity.PeerID
	cb     func([][]identity.PeerID, *hello.Hello)
	handle dht.GetHandle
	found  *hello.Hello // the latest valid HELLO of target
	done   bool
}

func (l *pathLookup) result(r dht.Result) {
	if l.done {
		return
	}
	h, err := hello.Parse(r.Data)
	if err != nil || h.Peer != l.target {
		return
	}
	if l.found == nil || h.Newer(l.found) {
		l.found = h
	}
	path := pathFromRoute(l.n.PeerID(), l.target, r, l.n.core.Neighbours())
	if path == nil {
		return
	}
	l.done = true
	l.n.loop.Post(l.handle.Cancel)
	l.cb([][]identity.PeerID{path}, l.found)
}

// timeout reports the HELLO without a path when no result had a route.
func (l *pathLookup) timeout() {
	if !l.done {
		l.done = true
		l.cb(nil, l.found)
	}
}

func (l *pathLookup) cancel() {
	l.done = true
	l.handle.Cancel()
}

// pathFromRoute turns the recorded route of a HELLO lookup into a path from
// self to target: the GET's route back to us reversed, then the PUT's route
// from the target reversed. It removes loops and returns nil unless the
// path starts at a neighbour.
func pathFromRoute(self, target identity.PeerID, r dht.Result, neighbours []identity.PeerID) []identity.PeerID {
	var hops []identity.PeerID
	for i := len(r.GetPath) - 1; i >= 0; i-- {
		hops = append(hops, r.GetPath[i])
	}
	for i := len(r.PutPath) - 1; i >= 0; i-- {
		hops = append(hops, r.PutPath[i])
	}
	hops = append(hops, target)

	var path []identity.PeerID
	for _, p := range hops {
		if p == self {
			path = path[:0] // a loop through ourselves: start again here
			continue
		}
		if i := slices.Index(path, p); i >= 0 {
			path = path[:i] // cut the loop
		}
		path = append(path, p)
		if p == target {
			break
		}
	}
	if len(path) == 0 || path[len(path)-1] != target || !slices.Contains(neighbours, path[0]) {
		return nil
	}
	return path
}
