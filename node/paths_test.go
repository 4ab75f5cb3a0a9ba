package node

import (
	"slices"
	"testing"

	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/identity"
)

func peer(b byte) identity.PeerID { return identity.PeerID{b} }

func TestPathFromRouteJoinsGetAndPutRoutes(t *testing.T) {
	self, a, b, c, target := peer(1), peer(2), peer(3), peer(4), peer(9)
	// The HELLO went target -> c -> b (stored at b); the result came back
	// b -> a -> self.
	r := dht.Result{PutPath: []identity.PeerID{target, c}, GetPath: []identity.PeerID{b, a}}
	got := pathFromRoute(self, target, r, []identity.PeerID{a})
	if want := []identity.PeerID{a, b, c, target}; !slices.Equal(got, want) {
		t.Fatalf("path = %v, want %v", got, want)
	}
}

func TestPathFromRouteCutsLoops(t *testing.T) {
	self, a, b, target := peer(1), peer(2), peer(3), peer(9)
	r := dht.Result{PutPath: []identity.PeerID{target, a, b}, GetPath: []identity.PeerID{b, a}}
	got := pathFromRoute(self, target, r, []identity.PeerID{a})
	if want := []identity.PeerID{a, target}; !slices.Equal(got, want) {
		t.Fatalf("path = %v, want %v", got, want)
	}
}

func TestPathFromRouteNeedsNeighbourFirst(t *testing.T) {
	self, a, target := peer(1), peer(2), peer(9)
	r := dht.Result{GetPath: []identity.PeerID{a}}
	if got := pathFromRoute(self, target, r, nil); got != nil {
		t.Fatalf("path through a non-neighbour = %v, want nil", got)
	}
	if got := pathFromRoute(self, target, dht.Result{}, []identity.PeerID{a}); got != nil {
		t.Fatalf("path without route = %v, want nil", got)
	}
}
