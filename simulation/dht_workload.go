package simulation

import (
	"crypto/sha512"
	"slices"
	"time"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
)

// Parameters of the DHT workload.
const (
	// dhtBlockSize is the size of each block the workload stores.
	dhtBlockSize = 256
	// dhtGetDelay is the time between a block's PUT and its GET, so the
	// PUT has spread before anyone looks for it.
	dhtGetDelay = 10 * time.Second
	// dhtGetTimeout bounds each GET; one that finds nothing by then fails.
	dhtGetTimeout = 30 * time.Second
	// dhtBlockLifetime outlives every run's GETs.
	dhtBlockLifetime = 24 * time.Hour
)

// dhtWorkload is the state of the DHT workload for one routing mode.
type dhtWorkload struct {
	service core.Service
	puts    int
	results outcomes
	tally   messageTally
}

// dhtRun is the DHT workload over both routing modes.
type dhtRun struct {
	keys  map[block.Key]bool
	modes []*dhtWorkload
}

func (w *world) tally(s core.Service) *messageTally {
	if w.dhtRun == nil {
		return nil
	}
	for _, m := range w.dhtRun.modes {
		if m.service == s {
			return &m.tally
		}
	}
	return nil
}

// newDHTRun prepares the workload before the peers start, so their DHTs
// count the workload's messages from the beginning.
func (w *world) newDHTRun() {
	if w.cfg.Workload != WorkloadDHT {
		return
	}
	run := &dhtRun{keys: make(map[block.Key]bool)}
	run.modes = append(run.modes, &dhtWorkload{service: core.ServiceDHT})
	if w.cfg.Compare {
		run.modes = append(run.modes, &dhtWorkload{service: serviceGreedyDHT})
	}
	for _, m := range run.modes {
		m.tally.keys = run.keys
	}
	w.dhtRun = run
}

// startDHTWorkload schedules Ops PUTs from random honest peers, each
// followed dhtGetDelay later by a GET from another random honest peer.
func (w *world) startDHTWorkload() error {
	last := w.cfg.Duration - dhtGetDelay - dhtGetTimeout
	if last <= w.workloadStart() {
		return errorf("duration %v is too short for the DHT workload: it needs more than %v", w.cfg.Duration, w.workloadStart()+dhtGetDelay+dhtGetTimeout)
	}
	honest := w.honestPeers()
	if len(honest) < 2 {
		return errorf("the DHT workload needs at least 2 honest peers, got %d", len(honest))
	}
	for _, at := range spreadOps(w.cfg.Ops, w.workloadStart(), last) {
		data := make([]byte, dhtBlockSize)
		for i := range data {
			data[i] = byte(w.rng.Uint32())
		}
		key := block.Key(sha512.Sum512(data))
		w.dhtRun.keys[key] = true
		putter := honest[w.rng.IntN(len(honest))]
		getter := honest[w.rng.IntN(len(honest))]
		for getter == putter {
			getter = honest[w.rng.IntN(len(honest))]
		}
		w.sim.Schedule(at, func() { w.dhtPut(putter, key, data) })
		w.sim.Schedule(at+dhtGetDelay, func() { w.dhtGet(getter, key) })
	}
	return nil
}

func (w *world) honestPeers() []*peer {
	var honest []*peer
	for _, p := range w.peers {
		if !p.malicious {
			honest = append(honest, p)
		}
	}
	return honest
}

func (p *peer) dhtFor(s core.Service) *dht.DHT {
	if s == serviceGreedyDHT {
		return p.services.greedy
	}
	return p.services.dht
}

func (w *world) dhtPut(p *peer, key block.Key, data []byte) {
	for _, m := range w.dhtRun.modes {
		m.puts++
		d := p.dhtFor(m.service)
		if w.offline[p.index] || d == nil {
			continue
		}
		if err := d.Put(key, simBlockType, data, p.env.Now().Add(dhtBlockLifetime), dht.PutOptions{}); err != nil {
			w.cfg.Log.Error("simulation: DHT put failed", "peer", p.index, "err", err)
		}
	}
}

// dhtGet looks key up and records the time to the first valid result and
// the length of its path. A GET from an offline peer counts as failed.
func (w *world) dhtGet(p *peer, key block.Key) {
	for _, m := range w.dhtRun.modes {
		d := p.dhtFor(m.service)
		if w.offline[p.index] || d == nil {
			m.results.record(false, 0, 0)
			continue
		}
		start := p.env.Now()
		found := false
		onResult := func(r dht.Result) {
			if !found {
				found = true
				m.results.record(true, p.env.Now().Sub(start), len(r.GetPath))
			}
		}
		onDone := func() {
			if !found {
				found = true
				m.results.record(false, 0, 0)
			}
		}
		d.Get(key, simBlockType, dht.GetOptions{Timeout: dhtGetTimeout, RecordRoute: true}, onResult, onDone)
	}
}

func (w *world) fillDHTWorkload(r *Report) {
	for _, m := range w.dhtRun.modes {
		rep := m.report(w)
		if m.service == serviceGreedyDHT {
			r.DHTGreedy = rep
		} else {
			r.DHT = rep
		}
	}
}

func (m *dhtWorkload) report(w *world) *DHTReport {
	o := &m.results
	var estimates []float64
	var dropped uint64
	for _, p := range w.peers {
		if d := p.dhtFor(m.service); d != nil {
			st := d.Stats()
			estimates = append(estimates, st.EstimatedSize)
			dropped += st.Dropped
		}
	}
	return &DHTReport{
		Puts: m.puts, Gets: o.attempts,
		GetSuccessRate:         ratio(o.successes, o.attempts),
		HopsP50:                percentile(slices.Clone(o.hops), 50),
		HopsP95:                percentile(slices.Clone(o.hops), 95),
		LatencyP50Ms:           percentile(slices.Clone(o.latencyMs), 50),
		LatencyP95Ms:           percentile(slices.Clone(o.latencyMs), 95),
		MessagesPerGet:         ratio(int(m.tally.gets+m.tally.results), o.attempts),
		MessagesPerPut:         ratio(int(m.tally.puts), m.puts),
		NetworkSizeEstimateP50: percentile(estimates, 50),
		MessagesDropped:        dropped,
	}
}

// messageTally counts the DHT messages that carry a workload key, so that
// the DHT's own maintenance lookups do not inflate the per-operation cost.
type messageTally struct {
	keys                map[block.Key]bool
	puts, gets, results uint64
}

func (t *messageTally) count(msg []byte) {
	typ, err := wire.PeekType(msg)
	if err != nil {
		return
	}
	switch typ {
	case wire.TypePut:
		if m, err := wire.ParsePut(msg); err == nil && t.keys[m.Key] {
			t.puts++
		}
	case wire.TypeGet:
		if m, err := wire.ParseGet(msg); err == nil && t.keys[m.Key] {
			t.gets++
		}
	case wire.TypeResult:
		if m, err := wire.ParseResult(msg); err == nil && t.keys[m.QueryKey] {
			t.results++
		}
	}
}
