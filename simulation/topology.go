package simulation

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Topology names how the simulated peers are linked.
type Topology string

// Topologies that BuildGraph accepts.
const (
	// Clique links every pair of peers.
	Clique Topology = "clique"
	// Random is a random regular graph: every peer has exactly Degree links.
	Random Topology = "random"
	// SmallWorld is a Watts-Strogatz graph: a ring lattice of Degree
	// neighbours with a fraction of its edges rewired to random peers.
	SmallWorld Topology = "smallworld"
	// Ring links peer i to peers i-1 and i+1.
	Ring Topology = "ring"
	// Restricted is a random regular graph whose edges are the only links a
	// peer may ever open: memnet rejects every other dial.
	Restricted Topology = "restricted"
)

// Topologies lists the valid topology names, for help text and validation.
var Topologies = []Topology{Clique, Random, SmallWorld, Ring, Restricted}

// smallWorldRewiring is the probability that a small-world lattice edge is
// rewired. At about 0.1 a Watts-Strogatz graph already has nearly the short
// paths of a random graph but keeps most of the lattice's clustering, which
// is the regime worth simulating.
const smallWorldRewiring = 0.1

// maxGraphAttempts bounds how often a random construction is redrawn when
// its result is disconnected.
const maxGraphAttempts = 100

// Graph is an undirected simple graph over peers 0..N-1.
type Graph struct {
	// Adjacent holds each peer's neighbours in ascending order.
	Adjacent [][]int
}

// BuildGraph returns the graph of topology t over n peers. degree is used by
// Random, Restricted and SmallWorld. The result depends only on its
// arguments, and every graph it returns is connected.
func BuildGraph(t Topology, n, degree int, seed uint64) (*Graph, error) {
	if n < 1 {
		return nil, fmt.Errorf("simulation: %d peers, at least 1 needed", n)
	}
	rng := graphRand(seed, t)
	switch t {
	case Clique:
		return cliqueGraph(n), nil
	case Ring:
		return ringGraph(n), nil
	case Random, Restricted:
		return retryConnected(n, degree, rng, randomRegular)
	case SmallWorld:
		return retryConnected(n, degree, rng, smallWorld)
	}
	return nil, fmt.Errorf("simulation: unknown topology %q, expected one of %v", t, Topologies)
}

// graphRand returns the random stream for building graphs, separate from
// the peers' streams so that the graph does not shift when peers draw.
func graphRand(seed uint64, t Topology) *rand.Rand {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "hush-topology-"+string(t))
	return rand.New(rand.NewChaCha8(key))
}

type graphBuilder func(n, degree int, rng *rand.Rand) (*Graph, error)

func retryConnected(n, degree int, rng *rand.Rand, build graphBuilder) (*Graph, error) {
	for range maxGraphAttempts {
		g, err := build(n, degree, rng)
		if err != nil {
			return nil, err
		}
		if g.Connected() {
			return g, nil
		}
	}
	return nil, fmt.Errorf("simulation: no connected graph of %d peers with degree %d after %d attempts; raise the degree", n, degree, maxGraphAttempts)
}

func cliqueGraph(n int) *Graph {
	g := newGraph(n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			g.addEdge(i, j)
		}
	}
	return g
}

func ringGraph(n int) *Graph {
	g := newGraph(n)
	for i := range n {
		j := (i + 1) % n
		if i != j && !g.HasEdge(i, j) {
			g.addEdge(i, j)
		}
	}
	return g
}

func newGraph(n int) *Graph {
	return &Graph{Adjacent: make([][]int, n)}
}

// Len returns the number of peers.
func (g *Graph) Len() int { return len(g.Adjacent) }

// HasEdge reports whether a and b are neighbours.
func (g *Graph) HasEdge(a, b int) bool {
	_, found := slices.BinarySearch(g.Adjacent[a], b)
	return found
}

// addEdge inserts a-b, keeping both lists sorted. The caller ensures that
// the edge is new and not a loop.
func (g *Graph) addEdge(a, b int) {
	g.Adjacent[a] = insertSorted(g.Adjacent[a], b)
	g.Adjacent[b] = insertSorted(g.Adjacent[b], a)
}

func (g *Graph) removeEdge(a, b int) {
	g.Adjacent[a] = removeSorted(g.Adjacent[a], b)
	g.Adjacent[b] = removeSorted(g.Adjacent[b], a)
}

func insertSorted(s []int, v int) []int {
	i, _ := slices.BinarySearch(s, v)
	return slices.Insert(s, i, v)
}

func removeSorted(s []int, v int) []int {
	i, found := slices.BinarySearch(s, v)
	if !found {
		return s
	}
	return slices.Delete(s, i, i+1)
}

// Edges returns every edge once as {a, b} with a < b, in ascending order.
func (g *Graph) Edges() [][2]int {
	var edges [][2]int
	for a, adj := range g.Adjacent {
		for _, b := range adj {
			if a < b {
				edges = append(edges, [2]int{a, b})
			}
		}
	}
	return edges
}

// EdgeCount returns the number of edges.
func (g *Graph) EdgeCount() int {
	total := 0
	for _, adj := range g.Adjacent {
		total += len(adj)
	}
	return total / 2
}

// Connected reports whether every peer can reach every other peer.
func (g *Graph) Connected() bool {
	if g.Len() == 0 {
		return true
	}
	seen := make([]bool, g.Len())
	seen[0] = true
	stack := []int{0}
	reached := 1
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, w := range g.Adjacent[v] {
			if !seen[w] {
				seen[w] = true
				reached++
				stack = append(stack, w)
			}
		}
	}
	return reached == g.Len()
}
