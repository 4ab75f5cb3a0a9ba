package dht

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// fakeNet is a network of DHT peers on one loop.Sim. Each peer's fakePeer
// implements core.Links: Send delivers to the neighbour's DHT after a fixed
// virtual latency, and Connect opens a link if the network allows it.
type fakeNet struct {
	t       testing.TB
	sim     *loop.Sim
	cfg     Config
	latency time.Duration
	// allowConnect lets DHTs open links beyond the initial topology,
	// up to linkLimit links per peer.
	allowConnect bool
	linkLimit    int
	peers        []*fakePeer
	byID         map[identity.PeerID]*fakePeer
	// log, when set, receives one transcript line per network event.
	log *strings.Builder
}

type fakePeer struct {
	net   *fakeNet
	index int
	key   *identity.PrivateKey
	id    identity.PeerID
	env   *loop.SimEnv
	dht   *DHT
	links map[identity.PeerID]bool
	hello *hello.Hello
}

func newFakeNet(t testing.TB, seed uint64, n int, cfg Config) *fakeNet {
	net := &fakeNet{t: t, sim: loop.NewSim(seed), cfg: cfg, latency: 10 * time.Millisecond,
		linkLimit: 1 << 30, byID: make(map[identity.PeerID]*fakePeer)}
	for i := 0; i < n; i++ {
		net.addPeer(seed)
	}
	return net
}

func (net *fakeNet) addPeer(seed uint64) *fakePeer {
	i := len(net.peers)
	s := make([]byte, 32)
	binary.LittleEndian.PutUint64(s, seed)
	binary.LittleEndian.PutUint64(s[8:], uint64(i))
	key, err := identity.NewKeyFromSeed(s)
	if err != nil {
		net.t.Fatal(err)
	}
	p := &fakePeer{net: net, index: i, key: key, id: key.PeerID(), links: make(map[identity.PeerID]bool)}
	p.env = net.sim.NewEnv(uint64(i), slog.New(slog.DiscardHandler))
	p.hello, err = hello.New(key, []string{fmt.Sprintf("mem://%d", i)}, loop.SimEpoch.Add(1000*time.Hour))
	if err != nil {
		net.t.Fatal(err)
	}
	store, err := datastore.NewMemory(1 << 24)
	if err != nil {
		net.t.Fatal(err)
	}
	net.peers = append(net.peers, p)
	net.byID[p.id] = p
	p.dht = New(net.cfg, p.env, p, key, store)
	return p
}

// name returns the transcript name of a peer.
func (net *fakeNet) name(id identity.PeerID) string {
	if p, ok := net.byID[id]; ok {
		return fmt.Sprintf("p%d", p.index)
	}
	return id.Short()
}

func (net *fakeNet) logf(format string, args ...any) {
	if net.log != nil {
		fmt.Fprintf(net.log, "%8s ", net.sim.Elapsed())
		fmt.Fprintf(net.log, format+"\n", args...)
	}
}

// link connects a and b at once and reports LinkUp to both.
func (net *fakeNet) link(a, b *fakePeer) {
	if a == b || a.links[b.id] {
		return
	}
	a.links[b.id], b.links[a.id] = true, true
	net.logf("link %s %s", net.name(a.id), net.name(b.id))
	a.dht.LinkUp(b.id)
	b.dht.LinkUp(a.id)
}

// unlink removes the link between a and b and reports LinkDown to both.
func (net *fakeNet) unlink(a, b *fakePeer) {
	if !a.links[b.id] {
		return
	}
	delete(a.links, b.id)
	delete(b.links, a.id)
	net.logf("unlink %s %s", net.name(a.id), net.name(b.id))
	a.dht.LinkDown(b.id)
	b.dht.LinkDown(a.id)
}

func (p *fakePeer) Self() identity.PeerID { return p.id }
func (p *fakePeer) Hello() *hello.Hello   { return p.hello }

func (p *fakePeer) Neighbours() []identity.PeerID {
	out := make([]identity.PeerID, 0, len(p.links))
	for id := range p.links {
		out = append(out, id)
	}
	slices.SortFunc(out, identity.PeerID.Compare)
	return out
}

func (p *fakePeer) Send(to identity.PeerID, s core.Service, msg []byte) error {
	if !p.links[to] {
		return core.ErrNoLink
	}
	if len(msg) > core.MaxMessageSize {
		return core.ErrTooLarge
	}
	net := p.net
	if t, _ := wire.PeekType(msg); t != wire.TypeEstimate {
		net.logf("%s -> %s %s", net.name(p.id), net.name(to), describe(msg))
	}
	msg = append([]byte(nil), msg...)
	net.sim.Schedule(net.latency, func() {
		if q := net.byID[to]; q != nil && q.links[p.id] {
			q.dht.Receive(p.id, msg)
		}
	})
	return nil
}

func (p *fakePeer) Connect(h *hello.Hello) {
	net := p.net
	q := net.byID[h.Peer]
	if !net.allowConnect || q == nil || p.links[q.id] {
		return
	}
	if len(p.links) >= net.linkLimit || len(q.links) >= net.linkLimit {
		return
	}
	net.logf("connect %s %s", net.name(p.id), net.name(q.id))
	net.sim.Schedule(net.latency, func() { net.link(p, q) })
}

// describe summarizes a DHT message for transcripts.
func describe(msg []byte) string {
	t, _ := wire.PeekType(msg)
	switch t {
	case wire.TypePut:
		if m, err := wire.ParsePut(msg); err == nil {
			return fmt.Sprintf("PUT hop=%d key=%s path=%d", m.HopCount, shortKey(m.Key), len(m.Path))
		}
	case wire.TypeGet:
		if m, err := wire.ParseGet(msg); err == nil {
			return fmt.Sprintf("GET hop=%d key=%s type=%d", m.HopCount, shortKey(m.Key), m.BlockType)
		}
	case wire.TypeResult:
		if m, err := wire.ParseResult(msg); err == nil {
			return fmt.Sprintf("RESULT key=%s block=%s put=%d get=%d", shortKey(m.QueryKey), shortKey(m.BlockKey), len(m.PutPath), len(m.GetPath))
		}
	}
	return t.String()
}

func shortKey(k [64]byte) string { return hex.EncodeToString(k[:3]) }

// randomRegular links every peer to degree random others: a random graph
// in which each peer starts degree links (fewer where pairing failed).
func (net *fakeNet) randomRegular(degree int) {
	r := net.sim.NewEnv(1<<40, slog.New(slog.DiscardHandler)).Rand()
	var stubs []int
	for i := range net.peers {
		for j := 0; j < degree; j++ {
			stubs = append(stubs, i)
		}
	}
	loop.Shuffle(r, len(stubs), func(i, j int) { stubs[i], stubs[j] = stubs[j], stubs[i] })
	for i := 0; i+1 < len(stubs); i += 2 {
		net.link(net.peers[stubs[i]], net.peers[stubs[i+1]])
	}
}

// clique links every pair of peers.
func (net *fakeNet) clique() {
	for i, a := range net.peers {
		for _, b := range net.peers[i+1:] {
			net.link(a, b)
		}
	}
}
