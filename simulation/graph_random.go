package simulation

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// maxRepairSwapsPerEdge bounds the edge swaps spent on one loop or repeated
// edge of the configuration model before the whole pairing is redrawn.
const maxRepairSwapsPerEdge = 1000

// randomRegular draws a random degree-regular graph with the configuration
// model: every peer gets degree stubs, the shuffled stubs are paired, and
// the loops and repeated edges this leaves are removed by double edge swaps
// with random other edges. Plain rejection of non-simple pairings would
// almost never finish, because for degree d a pairing is simple only with
// probability about exp(-(d*d-1)/4).
func randomRegular(n, degree int, rng *rand.Rand) (*Graph, error) {
	if degree < 1 || degree >= n {
		return nil, fmt.Errorf("simulation: degree %d invalid for %d peers: expected 1 to %d", degree, n, n-1)
	}
	if n*degree%2 != 0 {
		return nil, fmt.Errorf("simulation: degree %d with %d peers gives an odd number of link ends; make peers or degree even", degree, n)
	}
	for range maxGraphAttempts {
		p := newPairing(n, degree, rng)
		if p.repair(rng) {
			return p.graph(n), nil
		}
	}
	return nil, fmt.Errorf("simulation: could not draw a simple %d-regular graph of %d peers", degree, n)
}

// pairing is a multigraph under repair: its edge list and how often each
// unordered pair occurs.
type pairing struct {
	n     int
	edges [][2]int
	count map[int64]int
}

func newPairing(n, degree int, rng *rand.Rand) *pairing {
	stubs := make([]int, 0, n*degree)
	for v := range n {
		for range degree {
			stubs = append(stubs, v)
		}
	}
	rng.Shuffle(len(stubs), func(i, j int) { stubs[i], stubs[j] = stubs[j], stubs[i] })
	p := &pairing{n: n, count: make(map[int64]int, len(stubs)/2)}
	for i := 0; i < len(stubs); i += 2 {
		p.edges = append(p.edges, [2]int{stubs[i], stubs[i+1]})
		p.count[p.key(stubs[i], stubs[i+1])]++
	}
	return p
}

func (p *pairing) key(a, b int) int64 {
	if a > b {
		a, b = b, a
	}
	return int64(a)*int64(p.n) + int64(b)
}

func (p *pairing) bad(e [2]int) bool {
	return e[0] == e[1] || p.count[p.key(e[0], e[1])] > 1
}

// repair swaps edges until the multigraph is simple. It reports false when
// some edge could not be fixed within maxRepairSwapsPerEdge tries.
func (p *pairing) repair(rng *rand.Rand) bool {
	for i := range p.edges {
		tries := 0
		for p.bad(p.edges[i]) {
			if tries == maxRepairSwapsPerEdge {
				return false
			}
			tries++
			p.trySwap(i, rng.IntN(len(p.edges)), rng.IntN(2) == 1)
		}
	}
	return true
}

// trySwap replaces edges a-b and c-d by a-c and b-d (or a-d and b-c when
// flip is set) if neither new edge is a loop or already present.
func (p *pairing) trySwap(i, j int, flip bool) {
	if i == j {
		return
	}
	a, b := p.edges[i][0], p.edges[i][1]
	c, d := p.edges[j][0], p.edges[j][1]
	if flip {
		c, d = d, c
	}
	if a == c || b == d || p.count[p.key(a, c)] > 0 || p.count[p.key(b, d)] > 0 {
		return
	}
	if p.key(a, c) == p.key(b, d) {
		return
	}
	p.count[p.key(a, b)]--
	p.count[p.key(c, d)]--
	p.count[p.key(a, c)]++
	p.count[p.key(b, d)]++
	p.edges[i] = [2]int{a, c}
	p.edges[j] = [2]int{b, d}
}

func (p *pairing) graph(n int) *Graph {
	g := newGraph(n)
	for _, e := range p.edges {
		g.Adjacent[e[0]] = append(g.Adjacent[e[0]], e[1])
		g.Adjacent[e[1]] = append(g.Adjacent[e[1]], e[0])
	}
	g.sortAdjacent()
	return g
}

func (g *Graph) sortAdjacent() {
	for _, adj := range g.Adjacent {
		slices.Sort(adj)
	}
}

// smallWorld builds a Watts-Strogatz graph. It starts from a ring lattice
// where each peer links to degree/2 peers on either side. Then each lattice
// edge i-(i+k) moves, with probability smallWorldRewiring, to i-w for a
// random w that is not yet a neighbour of i.
func smallWorld(n, degree int, rng *rand.Rand) (*Graph, error) {
	if degree < 2 || degree%2 != 0 || degree >= n {
		return nil, fmt.Errorf("simulation: small-world degree %d invalid for %d peers: expected an even number from 2 to %d", degree, n, n-1)
	}
	g := newGraph(n)
	for i := range n {
		for k := 1; k <= degree/2; k++ {
			g.addEdge(i, (i+k)%n)
		}
	}
	for k := 1; k <= degree/2; k++ {
		for i := range n {
			if rng.Float64() < smallWorldRewiring {
				rewire(g, i, (i+k)%n, rng)
			}
		}
	}
	return g, nil
}

func rewire(g *Graph, i, old int, rng *rand.Rand) {
	if !g.HasEdge(i, old) || len(g.Adjacent[i]) >= g.Len()-1 {
		return
	}
	for {
		w := rng.IntN(g.Len())
		if w != i && !g.HasEdge(i, w) {
			g.removeEdge(i, old)
			g.addEdge(i, w)
			return
		}
	}
}
