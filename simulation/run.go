package simulation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport/memnet"
)

// progressInterval is the virtual time between Progress callbacks.
const progressInterval = time.Second

// maxDialSpread is the longest window over which the topology's link dials
// are spread, so that handshakes do not all land at virtual time zero.
const maxDialSpread = 5 * time.Second

// world is one run: the scheduler, the graph and the peers. It is used only
// on the goroutine that calls Run.
type world struct {
	cfg   Config
	sim   *loop.Sim
	graph *Graph
	peers []*peer
	rng   *rand.Rand // the driver's own choices: dial times, workload picks
	net   *memnet.Network
	// offline marks peers that churn took off the network.
	offline []bool
	churn   *churner
	wall    time.Time
	// dhtRun is the DHT workload's state, nil for other workloads.
	dhtRun   *dhtRun
	gnsRun   *gnsRun
	cadetRun *cadetRun
	// dhtVerify is shared by every peer's DHT, so that each HELLO and
	// path signature is verified once per run, not once per peer.
	dhtVerify *dht.VerifyCache
}

// Run builds the network that cfg describes, runs it for cfg.Duration of
// virtual time and returns the report. It blocks until the run ends.
func Run(cfg Config) (*Report, error) {
	return RunContext(context.Background(), cfg)
}

// RunContext is Run that stops early when ctx ends. It checks ctx once per
// virtual second and then returns ctx's error without a report.
func RunContext(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w, err := newWorld(cfg.withDefaults())
	if err != nil {
		return nil, err
	}
	defer w.close()
	if err := w.run(ctx); err != nil {
		return nil, err
	}
	return w.report(), nil
}

func newWorld(cfg Config) (*world, error) {
	w := &world{
		cfg:  cfg,
		sim:  loop.NewSim(cfg.Seed),
		rng:  rand.New(rand.NewPCG(cfg.Seed, 0x6472697665)), // "drive"
		wall: time.Now(),
	}
	graph, err := BuildGraph(cfg.Topology, cfg.Peers, cfg.Degree, cfg.Seed)
	if err != nil {
		return nil, err
	}
	w.graph = graph
	w.newNetwork()
	w.newDHTRun()
	w.buildPeers()
	w.markMalicious()
	w.markStaleProbers()
	if err := w.startPeers(); err != nil {
		return nil, err
	}
	w.churn = newChurner(w, cfg.Churn)
	return w, nil
}

// markMalicious picks round(Malicious * peers) peers at random.
func (w *world) markMalicious() {
	count := int(w.cfg.Malicious*float64(len(w.peers)) + 0.5)
	for _, i := range w.rng.Perm(len(w.peers))[:count] {
		w.peers[i].malicious = true
	}
}

func (w *world) dialSpread() time.Duration {
	return min(maxDialSpread, w.cfg.Duration/4)
}

// scheduleDials arms one dial per topology edge, from the lower index to
// the higher, at a random time within dialSpread.
func (w *world) scheduleDials() {
	spread := w.dialSpread()
	for _, e := range w.graph.Edges() {
		from, to := w.peers[e[0]], w.peers[e[1]]
		at := time.Duration(w.rng.Int64N(int64(spread) + 1))
		w.sim.Schedule(at, func() { w.dial(from, to) })
	}
}

func (w *world) run(ctx context.Context) error {
	w.scheduleDials()
	w.churn.start(2 * w.dialSpread())
	if err := w.startWorkload(); err != nil {
		return err
	}
	for w.sim.Elapsed() < w.cfg.Duration {
		w.sim.RunUntil(min(w.sim.Elapsed()+progressInterval, w.cfg.Duration))
		w.reportProgress()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("simulation: stopped at %v of virtual time: %w", w.sim.Elapsed(), err)
		}
	}
	return nil
}

func (w *world) reportProgress() {
	if w.cfg.Progress == nil {
		return
	}
	w.cfg.Progress(Progress{
		Virtual:  w.sim.Elapsed(),
		Duration: w.cfg.Duration,
		Wall:     time.Since(w.wall),
		LinksUp:  w.linksUp(),
		Events:   w.sim.EventsRun(),
	})
}

func (w *world) report() *Report {
	r := &Report{
		Peers:          len(w.peers),
		Seed:           w.cfg.Seed,
		Topology:       w.cfg.Topology,
		Degree:         w.graph.maxDegree(),
		Workload:       w.cfg.Workload,
		Malicious:      w.maliciousCount(),
		Links:          LinkStats{Expected: w.graph.EdgeCount(), Up: w.linksUp()},
		Events:         w.sim.EventsRun(),
		ChurnEvents:    w.churn.events,
		VirtualSeconds: w.sim.Elapsed().Seconds(),
	}
	w.fillTraffic(r)
	w.fillWorkload(r)
	r.WallSeconds = time.Since(w.wall).Seconds()
	r.MaxRSSBytes = maxRSS()
	return r
}

func (w *world) maliciousCount() int {
	count := 0
	for _, p := range w.peers {
		if p.malicious {
			count++
		}
	}
	return count
}

// linksUp counts topology edges whose CORE link is up at both ends.
func (w *world) linksUp() int {
	neighbours := make([][]identity.PeerID, len(w.peers))
	for i, p := range w.peers {
		neighbours[i] = p.core.Neighbours()
	}
	up := 0
	for a, adj := range w.graph.Adjacent {
		for _, b := range adj {
			if a < b && contains(neighbours[a], w.peers[b].id) && contains(neighbours[b], w.peers[a].id) {
				up++
			}
		}
	}
	return up
}

// contains reports whether the ID-ordered list ids holds id.
func contains(ids []identity.PeerID, id identity.PeerID) bool {
	_, found := slices.BinarySearchFunc(ids, id, identity.PeerID.Compare)
	return found
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("simulation: "+format, args...)
}
