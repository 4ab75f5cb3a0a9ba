package simulation

import (
	"reflect"
	"testing"
)

func TestBuildGraphDegrees(t *testing.T) {
	cases := []struct {
		topology Topology
		n        int
		degree   int
		want     int // expected degree of every peer, or -1 to check only the mean
	}{
		{Clique, 12, 0, 11},
		{Ring, 10, 0, 2},
		{Random, 100, 8, 8},
		{Random, 1000, 3, 3},
		{Restricted, 50, 4, 4},
		{SmallWorld, 200, 6, -1},
	}
	for _, c := range cases {
		g, err := BuildGraph(c.topology, c.n, c.degree, 7)
		if err != nil {
			t.Fatalf("%s n=%d d=%d: %v", c.topology, c.n, c.degree, err)
		}
		if g.Len() != c.n {
			t.Errorf("%s: %d peers, want %d", c.topology, g.Len(), c.n)
		}
		checkSimple(t, g)
		if c.want >= 0 {
			for v, adj := range g.Adjacent {
				if len(adj) != c.want {
					t.Fatalf("%s: peer %d has degree %d, want %d", c.topology, v, len(adj), c.want)
				}
			}
		}
		if c.topology == SmallWorld && g.EdgeCount() != c.n*c.degree/2 {
			t.Errorf("smallworld: %d edges, want %d", g.EdgeCount(), c.n*c.degree/2)
		}
	}
}

// checkSimple fails unless g has no loops, no repeated edges and symmetric,
// sorted neighbour lists.
func checkSimple(t *testing.T, g *Graph) {
	t.Helper()
	for v, adj := range g.Adjacent {
		for i, w := range adj {
			if w == v {
				t.Fatalf("peer %d links to itself", v)
			}
			if i > 0 && adj[i-1] >= w {
				t.Fatalf("peer %d: neighbour list %v not strictly ascending", v, adj)
			}
			if !g.HasEdge(w, v) {
				t.Fatalf("edge %d-%d is not symmetric", v, w)
			}
		}
	}
}

func TestBuildGraphConnected(t *testing.T) {
	for _, topology := range Topologies {
		for seed := range uint64(20) {
			g, err := BuildGraph(topology, 60, 4, seed)
			if err != nil {
				t.Fatalf("%s seed %d: %v", topology, seed, err)
			}
			if !g.Connected() {
				t.Fatalf("%s seed %d: graph is not connected", topology, seed)
			}
		}
	}
}

func TestBuildGraphDeterministic(t *testing.T) {
	for _, topology := range Topologies {
		a, err := BuildGraph(topology, 300, 8, 42)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := BuildGraph(topology, 300, 8, 42)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: same seed gave different graphs", topology)
		}
		c, _ := BuildGraph(topology, 300, 8, 43)
		if topology != Clique && topology != Ring && reflect.DeepEqual(a, c) {
			t.Errorf("%s: seeds 42 and 43 gave the same graph", topology)
		}
	}
}

func TestBuildGraphInvalid(t *testing.T) {
	cases := []struct {
		topology Topology
		n        int
		degree   int
	}{
		{Random, 0, 3},
		{Random, 5, 3}, // odd number of link ends
		{Random, 5, 5}, // degree not below peers
		{SmallWorld, 20, 3},
		{Topology("mesh"), 10, 2},
	}
	for _, c := range cases {
		if _, err := BuildGraph(c.topology, c.n, c.degree, 1); err == nil {
			t.Errorf("%s n=%d d=%d: no error", c.topology, c.n, c.degree)
		}
	}
}

func TestConnectedDetectsSplit(t *testing.T) {
	g := newGraph(4)
	g.addEdge(0, 1)
	g.addEdge(2, 3)
	if g.Connected() {
		t.Fatal("two components reported as connected")
	}
	g.addEdge(1, 2)
	if !g.Connected() {
		t.Fatal("path graph reported as disconnected")
	}
}

func BenchmarkRandomRegular10000(b *testing.B) {
	for b.Loop() {
		if _, err := BuildGraph(Random, 10000, 8, 1); err != nil {
			b.Fatal(err)
		}
	}
}
