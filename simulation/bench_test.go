package simulation

import (
	"testing"
	"time"
)

// benchmarkRun runs one simulation per iteration and reports the run's
// wall time, virtual time and peak memory as custom metrics.
func benchmarkRun(b *testing.B, cfg Config) {
	for b.Loop() {
		r, err := Run(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.WallSeconds, "wall-s")
		b.ReportMetric(r.VirtualSeconds, "virtual-s")
		b.ReportMetric(float64(r.MaxRSSBytes)/(1<<20), "maxrss-MiB")
		b.ReportMetric(float64(r.Links.Up), "links-up")
		b.ReportMetric(float64(r.Events), "events")
		dumpReport(b, r)
	}
}

// BenchmarkRun1000Random is the target of `hush sim --peers 1000 --topology
// random --degree 8 --duration 10m`.
func BenchmarkRun1000Random(b *testing.B) {
	benchmarkRun(b, Config{Peers: 1000, Topology: Random, Degree: 8, Duration: 10 * time.Minute, Seed: 1})
}

func BenchmarkRun10000Random(b *testing.B) {
	benchmarkRun(b, Config{Peers: 10000, Topology: Random, Degree: 8, Duration: 10 * time.Minute, Seed: 1})
}

func BenchmarkRun1000DHT(b *testing.B) {
	benchmarkRun(b, Config{Peers: 1000, Topology: Random, Degree: 8, Duration: 10 * time.Minute, Seed: 1, Workload: WorkloadDHT, Ops: 100})
}

func BenchmarkRun100DHT(b *testing.B) {
	benchmarkRun(b, Config{Peers: 100, Topology: Random, Degree: 8, Duration: 2 * time.Minute, Seed: 1, Workload: WorkloadDHT, Ops: 20})
}

// BenchmarkRun300DHTCompare runs R5N and greedy Kademlia side by side on
// the same 300-peer graph.
func BenchmarkRun300DHTCompare(b *testing.B) {
	benchmarkRun(b, Config{Peers: 300, Topology: Random, Degree: 8, Duration: 3 * time.Minute, Seed: 1, Workload: WorkloadDHT, Ops: 50, Compare: true})
}

// BenchmarkRun100DHTForgers compares R5N and greedy Kademlia with 20 % of
// the peers replying to GETs with forged blocks.
func BenchmarkRun100DHTForgers(b *testing.B) {
	benchmarkRun(b, Config{Peers: 100, Topology: Random, Degree: 8, Duration: 2 * time.Minute, Seed: 1, Workload: WorkloadDHT, Ops: 20,
		Compare: true, Malicious: 0.2, MaliciousMode: MaliciousInvalid})
}

// BenchmarkRun100DHTDroppers compares R5N and greedy Kademlia with 20 % of
// the peers dropping all DHT traffic.
func BenchmarkRun100DHTDroppers(b *testing.B) {
	benchmarkRun(b, Config{Peers: 100, Topology: Random, Degree: 8, Duration: 2 * time.Minute, Seed: 1, Workload: WorkloadDHT, Ops: 20,
		Compare: true, Malicious: 0.2, MaliciousMode: MaliciousDrop})
}

func BenchmarkRun100GNS(b *testing.B) {
	benchmarkRun(b, Config{Peers: 100, Topology: Random, Degree: 8, Duration: 2 * time.Minute, Seed: 1, Workload: WorkloadGNS, Ops: 20})
}

func BenchmarkRun100CADETRestricted(b *testing.B) {
	benchmarkRun(b, Config{Peers: 100, Topology: Restricted, Degree: 4, Duration: 3 * time.Minute, Seed: 1, Workload: WorkloadCADET, Ops: 20})
}

func BenchmarkRun1000SmallWorld(b *testing.B) {
	benchmarkRun(b, Config{Peers: 1000, Topology: SmallWorld, Degree: 8, Duration: 10 * time.Minute, Seed: 1})
}
