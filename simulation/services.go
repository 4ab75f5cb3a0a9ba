package simulation

import (
	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/gns/resolver"
	"github.com/hush-overlay/hush/identity"
)

// serviceGreedyDHT carries the comparison DHT, which runs plain greedy
// Kademlia over the same links as the R5N DHT.
const serviceGreedyDHT core.Service = 14

// datastoreQuota bounds each simulated peer's DHT datastore.
const datastoreQuota = 16 << 20

// peerServices are the services one peer runs above CORE.
type peerServices struct {
	dht      *dht.DHT
	greedy   *dht.DHT
	resolver *resolver.Resolver
	cadet    *cadet.Engine
}

func (w *world) needsDHT() bool { return w.cfg.Workload != WorkloadNone }

// startServices registers p's services with its new CORE. A malicious peer
// registers a handler that misbehaves in place of a real DHT.
func (w *world) startServices(p *peer) error {
	p.services = peerServices{}
	if !w.needsDHT() {
		return nil
	}
	if err := w.startDHT(p, core.ServiceDHT, dht.ModeR5N, &p.services.dht); err != nil {
		return err
	}
	if w.cfg.Compare && w.cfg.Workload == WorkloadDHT {
		if err := w.startDHT(p, serviceGreedyDHT, dht.ModeKademlia, &p.services.greedy); err != nil {
			return err
		}
	}
	if w.cfg.Workload == WorkloadCADET {
		return w.startCADETEngine(p)
	}
	return nil
}

func (w *world) startDHT(p *peer, s core.Service, mode dht.Mode, slot **dht.DHT) error {
	if p.malicious {
		return p.core.Register(s, w.maliciousHandler(p, s))
	}
	store, err := datastore.NewMemory(datastoreQuota)
	if err != nil {
		return errorf("peer %d: %w", p.index, err)
	}
	links := &countingLinks{Links: p.core, service: s, tally: w.tally(s)}
	if w.dhtVerify == nil {
		w.dhtVerify = dht.NewVerifyCache()
	}
	cfg := dht.Config{Mode: mode, DisableCache: w.cfg.Workload == WorkloadCADET, VerifyCache: w.dhtVerify}
	d := dht.New(cfg, p.env, links, p.key, store)
	d.RegisterBlockType(simPlugin{})
	d.RegisterBlockType(gnsPlugin{})
	*slot = d
	return p.core.Register(s, d)
}

func (w *world) stopServices(p *peer) {
	for _, d := range []*dht.DHT{p.services.dht, p.services.greedy} {
		if d != nil {
			d.Close()
		}
	}
	if p.services.cadet != nil {
		p.services.cadet.Stop()
	}
}

// countingLinks is the core.Links a simulated DHT sends through. It sends
// on its own service, so that two DHTs can share CORE, and counts the
// workload's messages.
type countingLinks struct {
	core.Links
	service core.Service
	tally   *messageTally
}

func (l *countingLinks) Send(to identity.PeerID, _ core.Service, msg []byte) error {
	if l.tally != nil {
		l.tally.count(msg)
	}
	return l.Links.Send(to, l.service, msg)
}
