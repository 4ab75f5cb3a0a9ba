package dht

import (
	"flag"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/loop"
)

// large enables the 1,000-peer runs, which take minutes of CPU time.
var large = flag.Bool("large", false, "run the 1,000-peer simulations")

// largeConfig is the configuration of the 1,000-peer runs: short estimation
// rounds and maintenance so that a few virtual minutes cover warm-up.
var largeConfig = Config{
	EstimateRound:       10 * time.Second,
	MaintenanceInterval: 10 * time.Minute,
	GetTimeout:          20 * time.Second,
}

type largeRun struct {
	peers        int
	degree       int
	allowConnect bool
	cfg          Config
	blocks       int
}

// runLarge builds the network, warms it up, stores blocks from random peers
// and fetches each from another random peer. It returns the success ratio.
func runLarge(t testing.TB, r largeRun) (float64, *fakeNet) {
	net := newFakeNet(t, 42, r.peers, r.cfg)
	net.allowConnect, net.linkLimit = r.allowConnect, 2*r.degree
	net.randomRegular(r.degree)
	net.sim.RunFor(45 * time.Second)
	rnd := net.sim.NewEnv(1<<41, nil).Rand()
	keys := make([]Key, r.blocks)
	for i := range keys {
		keys[i] = block.KeyForString(fmt.Sprintf("block-%d", i))
		p := net.peers[loop.IntN(rnd, len(net.peers))]
		if err := p.dht.Put(keys[i], block.TypeTest, []byte(fmt.Sprint(i)), net.sim.Now().Add(time.Hour), PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	net.sim.RunFor(10 * time.Second)
	found := 0
	for i, k := range keys {
		p := net.peers[loop.IntN(rnd, len(net.peers))]
		want := fmt.Sprint(i)
		p.dht.Get(k, block.TypeTest, GetOptions{}, func(res Result) {
			if string(res.Data) == want {
				found++
				want = "" // count once
			}
		}, nil)
	}
	net.sim.RunFor(30 * time.Second)
	return float64(found) / float64(len(keys)), net
}

func checkEstimates(t *testing.T, net *fakeNet) {
	t.Helper()
	n := float64(len(net.peers))
	bad := 0
	for _, p := range net.peers {
		est := p.dht.Stats().EstimatedSize
		if est < n/2 || est > 2*n || math.IsNaN(est) {
			bad++
			if bad < 5 {
				t.Errorf("peer %d estimates %.0f peers, actual %.0f", p.index, est, n)
			}
		}
	}
}

func TestLargeRandomGraph(t *testing.T) {
	if !*large {
		t.Skip("1,000-peer simulation: run with -large")
	}
	ratio, net := runLarge(t, largeRun{peers: 1000, degree: 8, allowConnect: true, cfg: largeConfig, blocks: 100})
	t.Logf("GET success %.3f, %d events", ratio, net.sim.EventsRun())
	if ratio < 0.99 {
		t.Errorf("GET success %.3f, expected at least 0.99", ratio)
	}
	checkEstimates(t, net)
}

func TestLargeRestrictedGraph(t *testing.T) {
	if !*large {
		t.Skip("1,000-peer simulation: run with -large")
	}
	ratio, net := runLarge(t, largeRun{peers: 1000, degree: 8, cfg: largeConfig, blocks: 100})
	t.Logf("GET success %.3f, %d events", ratio, net.sim.EventsRun())
	if ratio < 0.99 {
		t.Errorf("GET success %.3f, expected at least 0.99", ratio)
	}
	checkEstimates(t, net)
}
