package simulation

import (
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
	"github.com/hush-overlay/hush/transport/memnet"
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
	malicious bool
	// staleClock marks a CADET stale prober, whose engine's clock is skewed.
	staleClock bool
	services   peerServices
}

// buildPeers makes the peers with their keys and environments. Roles
// (malicious, stale prober) are assigned next, then startPeers starts them.
func (w *world) buildPeers() {
	w.peers = make([]*peer, w.cfg.Peers)
	for i := range w.peers {
		key := peerKey(w.cfg.Seed, i)
		p := &peer{index: i, key: key, id: key.PeerID(), addr: memnet.Address(i)}
		p.env = w.sim.NewEnv(uint64(i), w.cfg.Log.With("peer", p.id.Short()))
		w.peers[i] = p
	}
}

func (w *world) startPeers() error {
	for _, p := range w.peers {
		if err := w.startPeer(p); err != nil {
			return err
		}
	}
	return nil
}

// coreConfig sizes CORE's link limit so that every topology edge fits,
// with room for the links the DHT opens on its own.
func (w *world) coreConfig() core.Config {
	return core.Config{MaxLinks: max(128, 2*w.graph.maxDegree()+32), RekeyInterval: w.cfg.RekeyInterval}
}

// startPeer gives p its transport, CORE and services.
func (w *world) startPeer(p *peer) error {
	c, err := core.New(w.coreConfig(), p.env, p.key, core.NewMemPeerStore())
	if err != nil {
		return errorf("peer %d: %w", p.index, err)
	}
	p.core = c
	p.transport = w.net.Attach(p.index, p.env, c)
	c.AddTransport(p.transport)
	if _, err := c.Listen([]string{p.addr}); err != nil {
		return errorf("peer %d: %w", p.index, err)
	}
	if err := w.startServices(p); err != nil {
		return err
	}
	c.Start()
	return nil
}

// setOnline takes p off the network or brings it back. An offline peer
// keeps its state, like a host whose uplink went down: memnet drops its
// frames and dials, and CORE's dead-link timeout ends its links on both
// sides. Back online, p redials its topology neighbours.
func (w *world) setOnline(p *peer, online bool) {
	w.offline[p.index] = !online
	if !online {
		return
	}
	for _, j := range w.graph.Adjacent[p.index] {
		w.dial(p, w.peers[j])
	}
}

func (w *world) dial(from, to *peer) {
	if err := from.core.Dial(to.id, to.addr); err != nil {
		w.cfg.Log.Debug("simulation: dial failed", "from", from.index, "to", to.index, "err", err)
	}
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
		total = addStats(total, p.core.Stats())
	}
	// Both ends count a handshake, so each one is counted twice.
	r.Handshakes = HandshakeStats{Completed: total.HandshakesOK / 2, Failed: total.HandshakesFailed, Rekeys: total.Rekeys}
	w.fillNetwork(r)
}

func (w *world) close() {
	for _, p := range w.peers {
		if p != nil && p.core != nil {
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
