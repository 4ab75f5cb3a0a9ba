package dht

import (
	"testing"
)

// benchmarkMode runs the 200-peer restricted graph workload and reports the
// GET success ratio and the simulated events, to compare routing modes.
func benchmarkMode(b *testing.B, mode Mode) {
	cfg := largeConfig
	cfg.Mode = mode
	for i := 0; i < b.N; i++ {
		ratio, net := runLarge(b, largeRun{peers: 200, degree: 8, cfg: cfg, blocks: 50})
		b.ReportMetric(ratio, "success")
		b.ReportMetric(float64(net.sim.EventsRun()), "events")
	}
}

func BenchmarkRestrictedR5N(b *testing.B)      { benchmarkMode(b, ModeR5N) }
func BenchmarkRestrictedKademlia(b *testing.B) { benchmarkMode(b, ModeKademlia) }
