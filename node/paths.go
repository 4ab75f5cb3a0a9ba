package node

import (
	"slices"
	"time"

	"github.com/hush-overlay/hush/dht"
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
	opts := dht.GetOptions{RecordRoute: true, Timeout: pathLookupTimeout}
	h := n.dht.LookupHello(target, opts, func(h *hello.Hello, r dht.Result) {
		if h == nil {
			cb(nil, nil)
			return
		}
		var paths [][]identity.PeerID
		if path := pathFromRoute(n.PeerID(), target, r, n.core.Neighbours()); path != nil {
			paths = append(paths, path)
		}
		cb(paths, h)
	})
	return h.Cancel
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
