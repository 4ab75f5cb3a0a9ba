package cadet

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// fakeNet connects fake peers by links with a latency, optional loss and
// reordering jitter, and breaks. Messages are delivered by schedule, which
// runs fn on the target peer's loop after d: the Sim's queue, or real
// timers posting to per-peer Real loops. A mutex guards the topology, so
// the same fake serves both drivers.
type fakeNet struct {
	mu       sync.Mutex
	schedule func(to *fakePeer, d time.Duration, fn func())
	peers    map[identity.PeerID]*fakePeer
	order    []*fakePeer
	links    map[[2]identity.PeerID]*fakeLink
	rng      *rand.Rand
	sent     map[identity.PeerID][]sentMsg // per sender, when recording
	record   bool
	clock    func() time.Duration
}

type sentMsg struct {
	at  time.Duration
	to  identity.PeerID
	msg []byte
}

type fakeLink struct {
	up      bool
	latency time.Duration
	jitter  time.Duration // extra uniform delay in [0, jitter), which reorders
	loss    float64
	drop    func(msg []byte) bool
}

// fakePeer is one peer. Restarting it replaces the engine; the old one's
// links stop working because each engine gets its own generation.
type fakePeer struct {
	net    *fakeNet
	index  int
	key    *identity.PrivateKey
	id     identity.PeerID
	env    loop.Env
	engine *Engine
	gen    int
	real   *loop.Real
	done   chan struct{} // closed when real stops
}

// peerLinks is core.Links for one generation of a peer.
type peerLinks struct {
	p   *fakePeer
	gen int
}

func linkKey(a, b identity.PeerID) [2]identity.PeerID {
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return [2]identity.PeerID{a, b}
}

func newFakeNet(seed uint64) *fakeNet {
	return &fakeNet{
		peers: map[identity.PeerID]*fakePeer{},
		links: map[[2]identity.PeerID]*fakeLink{},
		rng:   rand.New(rand.NewPCG(seed, seed^0x5eed)),
		sent:  map[identity.PeerID][]sentMsg{},
	}
}

// newSimNet returns a fake network of n peers on one Sim.
func newSimNet(t testing.TB, sim *loop.Sim, n int, cfg Config) *fakeNet {
	return newSimNetSeed(t, sim, n, cfg, 7)
}

// newSimNetSeed is newSimNet with the seed of the link loss and jitter.
func newSimNetSeed(t testing.TB, sim *loop.Sim, n int, cfg Config, seed uint64) *fakeNet {
	fn := newFakeNet(seed)
	fn.schedule = func(_ *fakePeer, d time.Duration, fn func()) { sim.Schedule(d, fn) }
	fn.clock = sim.Elapsed
	for i := range n {
		env := sim.NewEnv(uint64(i), testLogger(t, i))
		fn.addPeer(t, i, env, cfg)
	}
	return fn
}

func testLogger(t testing.TB, i int) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})
	if os.Getenv("CADET_TEST_LOG") != "" {
		h = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	}
	return slog.New(h).With("peer", i)
}

func (n *fakeNet) addPeer(t testing.TB, i int, env loop.Env, cfg Config) *fakePeer {
	seed := make([]byte, 32)
	seed[0], seed[1] = byte(i), byte(i>>8)
	key, err := identity.NewKeyFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePeer{net: n, index: i, key: key, id: key.PeerID(), env: env}
	n.peers[p.id] = p
	n.order = append(n.order, p)
	p.start(cfg)
	return p
}

// start gives the peer a fresh engine, as after a restart.
func (p *fakePeer) start(cfg Config) {
	p.net.mu.Lock()
	p.gen++
	p.net.mu.Unlock()
	cfg.Key, cfg.Env = p.key, p.env
	cfg.Links = &peerLinks{p: p, gen: p.gen}
	cfg.Paths = &fakePaths{net: p.net, self: p.id}
	if p.engine != nil {
		p.engine.stopped = true
	}
	p.engine = New(cfg)
}

// connect adds an up link with the given latency.
func (n *fakeNet) connect(a, b *fakePeer, latency time.Duration) *fakeLink {
	n.mu.Lock()
	l := &fakeLink{up: true, latency: latency}
	n.links[linkKey(a.id, b.id)] = l
	n.mu.Unlock()
	a.onLoop(func() { a.engine.LinkUp(b.id) })
	b.onLoop(func() { b.engine.LinkUp(a.id) })
	return l
}

// chain links peers 0-1-2-...-(n-1) in a line.
func (n *fakeNet) chain(latency time.Duration) {
	for i := 0; i+1 < len(n.order); i++ {
		n.connect(n.order[i], n.order[i+1], latency)
	}
}

// setLink brings a link up or down and reports it to both engines.
func (n *fakeNet) setLink(a, b *fakePeer, up bool) {
	n.mu.Lock()
	l := n.links[linkKey(a.id, b.id)]
	l.up = up
	n.mu.Unlock()
	event := func(p *fakePeer, other identity.PeerID) func() {
		return func() {
			if up {
				p.engine.LinkUp(other)
			} else {
				p.engine.LinkDown(other)
			}
		}
	}
	a.onLoop(event(a, b.id))
	b.onLoop(event(b, a.id))
}

func (n *fakeNet) link(a, b identity.PeerID) *fakeLink {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.links[linkKey(a, b)]
}

func (p *fakePeer) onLoop(fn func()) { p.net.schedule(p, 0, fn) }

func (l *peerLinks) Self() identity.PeerID { return l.p.id }

// Send delivers msg to a neighbour after the link's latency, unless the
// link is down, the message is lost, or the sender was restarted.
func (l *peerLinks) Send(to identity.PeerID, s core.Service, msg []byte) error {
	n := l.p.net
	n.mu.Lock()
	defer n.mu.Unlock()
	link := n.links[linkKey(l.p.id, to)]
	if l.gen != l.p.gen || link == nil || !link.up {
		return core.ErrNoLink
	}
	if len(msg) > core.MaxMessageSize {
		return core.ErrTooLarge
	}
	if n.record {
		n.sent[l.p.id] = append(n.sent[l.p.id], sentMsg{at: n.clock(), to: to, msg: append([]byte(nil), msg...)})
	}
	if (link.loss > 0 && n.rng.Float64() < link.loss) || (link.drop != nil && link.drop(msg)) {
		return nil
	}
	delay := link.latency
	if link.jitter > 0 {
		delay += time.Duration(n.rng.Int64N(int64(link.jitter)))
	}
	copyMsg := append([]byte(nil), msg...)
	target, from := n.peers[to], l.p.id
	n.schedule(target, delay, func() {
		if lk := n.link(from, to); lk != nil && lk.up {
			target.engine.Receive(from, copyMsg)
		}
	})
	return nil
}

func (l *peerLinks) Connect(*hello.Hello) {}

func (l *peerLinks) Neighbours() []identity.PeerID {
	n := l.p.net
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []identity.PeerID
	for k, link := range n.links {
		if !link.up {
			continue
		}
		if k[0] == l.p.id {
			out = append(out, k[1])
		} else if k[1] == l.p.id {
			out = append(out, k[0])
		}
	}
	slices.SortFunc(out, identity.PeerID.Compare)
	return out
}

func (l *peerLinks) Hello() *hello.Hello { return nil }

// fakePaths finds paths over the links that are up: the shortest path,
// then the shortest through each other neighbour, like a DHT that recorded
// several routes.
type fakePaths struct {
	net  *fakeNet
	self identity.PeerID
}

func (f *fakePaths) FindPaths(target identity.PeerID, cb func([][]identity.PeerID, *hello.Hello)) func() {
	var paths [][]identity.PeerID
	seen := map[string]bool{}
	for _, first := range (&peerLinks{p: f.net.peers[f.self]}).Neighbours() {
		p := f.net.shortest(first, target, f.self)
		if p == nil {
			continue
		}
		hops := append([]identity.PeerID{first}, p...)
		if first == target {
			hops = []identity.PeerID{target}
		}
		if k := pathKey(hops); !seen[k] {
			seen[k] = true
			paths = append(paths, hops)
		}
	}
	sortByLen(paths)
	cb(paths, nil)
	return func() {}
}

func sortByLen(paths [][]identity.PeerID) {
	for i := 1; i < len(paths); i++ {
		for j := i; j > 0 && len(paths[j]) < len(paths[j-1]); j-- {
			paths[j], paths[j-1] = paths[j-1], paths[j]
		}
	}
}

// shortest returns the hops after from to target over up links, avoiding
// avoid, or nil. An empty non-nil slice means from is target.
func (n *fakeNet) shortest(from, target, avoid identity.PeerID) []identity.PeerID {
	if from == target {
		return []identity.PeerID{}
	}
	prev := map[identity.PeerID]identity.PeerID{from: from}
	queue := []identity.PeerID{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range (&peerLinks{p: n.peers[cur]}).Neighbours() {
			if _, ok := prev[next]; ok || next == avoid {
				continue
			}
			prev[next] = cur
			if next == target {
				return walkBack(prev, from, target)
			}
			queue = append(queue, next)
		}
	}
	return nil
}

func walkBack(prev map[identity.PeerID]identity.PeerID, from, target identity.PeerID) []identity.PeerID {
	var out []identity.PeerID
	for cur := target; cur != from; cur = prev[cur] {
		out = append([]identity.PeerID{cur}, out...)
	}
	return out
}

func (p *fakePeer) String() string { return fmt.Sprintf("peer%d", p.index) }

func identityFromSeed(seed []byte) (*identity.PrivateKey, error) {
	return identity.NewKeyFromSeed(seed)
}
