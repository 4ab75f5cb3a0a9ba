package simulation

import (
	"testing"
	"time"
)

func TestDebugStorage(t *testing.T) {
	for _, n := range []int{20, 100, 300} {
		cfg := Config{Peers: n, Degree: 8, Duration: 2 * time.Minute, Seed: 2, Workload: WorkloadDHT, Ops: 10}.withDefaults()
		w, _ := newWorld(cfg)
		w.run()
		stored := 0
		for _, p := range w.peers {
			for k := range w.dhtRun.keys {
				var found bool
				_ = k
				_ = found
			}
			stored += p.services.dht.Stats().StoredBlocks
		}
		r := w.report()
		t.Logf("n=%d stored blocks total %d (%d puts) gets/get %.1f hops p50 %.0f success %.2f wall %.1f", n, stored, 10, r.DHT.MessagesPerGet, r.DHT.HopsP50, r.DHT.GetSuccessRate, r.WallSeconds)
	}
}
