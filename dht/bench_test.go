package dht

import (
	"testing"
)

func BenchmarkRestricted200(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ratio, net := runLarge(b, largeRun{peers: 200, degree: 8, cfg: largeConfig, blocks: 50})
		b.ReportMetric(ratio, "success")
		b.ReportMetric(float64(net.sim.EventsRun()), "events")
	}
}
