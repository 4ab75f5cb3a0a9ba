package simulation

import (
	"slices"
	"strconv"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// peer is one simulated peer. Its fields are used only on the simulation
// goroutine, which is also every peer's loop.
type peer struct {
	index     int
	key       *identity.PrivateKey
	id        identity.PeerID
	env       *loop.SimEnv
	addr      string
	transport transport.Transport
	core      *core.Core
	online    bool
	malicious bool
	services  peerServices
	// retired holds the totals of CORE instances replaced after churn.
	retired core.Stats
}

func memAddress(index int) string { return "mem://" + strconv.Itoa(index) }

func (w *world) buildPeers() error {
	w.peers = make([]*peer, w.cfg.Peers)
	for i := range w.peers {
		key := peerKey(w.cfg.Seed, i)
		p := &peer{index: i, key: key, id: key.PeerID(), addr: memAddress(i)}
		p.env = w.sim.NewEnv(uint64(i), w.cfg.Log.With("peer", p.id.Short()))
		w.peers[i] = p
		if err := w.startPeer(p); err != nil {
			return err
		}
	}
	return nil
}

// coreConfig sizes CORE's link limit so that every topology edge fits,
// with room for the links the DHT opens on its own.
func (w *world) coreConfig() core.Config {
	return core.Config{MaxLinks: max(128, 2*w.graph.maxDegree()+32)}
}

// startPeer gives p a fresh transport and CORE: at the start of the run and
// when p comes back after churn.
func (w *world) startPeer(p *peer) error {
	c, err := core.New(w.coreConfig(), p.env, p.key, core.NewMemPeerStore())
	if err != nil {
		return errorf("peer %d: %w", p.index, err)
	}
	p.core = c
	p.transport = w.net.attach(p.index, p.env, c)
	c.AddTransport(p.transport)
	if _, err := c.Listen([]string{p.addr}); err != nil {
		return errorf("peer %d: %w", p.index, err)
	}
	if err := w.startServices(p); err != nil {
		return err
	}
	c.Start()
	p.online = true
	return nil
}

// stopPeer closes p's services, CORE and transport without a goodbye on
// the wire: its neighbours notice through CORE's dead-link timeout.
func (w *world) stopPeer(p *peer) {
	w.stopServices(p)
	w.net.setOnline(p.index, false)
	p.retired = addStats(p.retired, p.core.Stats())
	p.core.Close()
	p.transport.Close()
	p.online = false
}

func (w *world) setOnline(p *peer, online bool) {
	if !online {
		w.stopPeer(p)
		return
	}
	w.net.setOnline(p.index, true)
	if err := w.startPeer(p); err != nil {
		w.cfg.Log.Error("simulation: restart after churn failed", "peer", p.index, "err", err)
		return
	}
	for _, j := range w.graph.Adjacent[p.index] {
		w.dial(p, w.peers[j])
	}
}

func (w *world) dial(from, to *peer) {
	if !from.online {
		return
	}
	if err := from.core.Dial(to.id, to.addr); err != nil {
		w.cfg.Log.Debug("simulation: dial failed", "from", from.index, "to", to.index, "err", err)
	}
}

// linkedTo reports whether p's CORE has a link up to other.
func (p *peer) linkedTo(other *peer) bool {
	if !p.online {
		return false
	}
	_, found := slices.BinarySearchFunc(p.core.Neighbours(), other.id, func(a, b identity.PeerID) int { return a.Compare(b) })
	return found
}

func (p *peer) stats() core.Stats {
	if !p.online {
		return p.retired
	}
	return addStats(p.retired, p.core.Stats())
}

func addStats(a, b core.Stats) core.Stats {
	a.HandshakesOK += b.HandshakesOK
	a.HandshakesFailed += b.HandshakesFailed
	a.MessagesIn += b.MessagesIn
	a.MessagesOut += b.MessagesOut
	a.FramesIn += b.FramesIn
	a.FramesOut += b.FramesOut
	a.BytesIn += b.BytesIn
	a.BytesOut += b.BytesOut
	a.Rekeys += b.Rekeys
	return a
}

func (w *world) fillTraffic(r *Report) {
	var total core.Stats
	for _, p := range w.peers {
		total = addStats(total, p.stats())
	}
	// Both ends count a handshake, so each one is counted twice.
	r.Handshakes = HandshakeStats{Completed: total.HandshakesOK / 2, Failed: total.HandshakesFailed, Rekeys: total.Rekeys}
	t := w.net.totals()
	r.Messages, r.Bytes, r.FramesLost = t.frames, t.bytes, t.lost
}

func (w *world) close() {
	for _, p := range w.peers {
		if p != nil && p.online {
			w.stopServices(p)
			p.core.Close()
			p.transport.Close()
		}
	}
}

func (g *Graph) maxDegree() int {
	m := 0
	for _, adj := range g.Adjacent {
		m = max(m, len(adj))
	}
	return m
}
