package simulation

import (
	"os"
	"reflect"
	"testing"
	"time"
)

func TestRunLinksComeUp(t *testing.T) {
	r, err := Run(Config{Peers: 30, Topology: Random, Degree: 4, Duration: 2 * time.Minute, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Links.Expected != 60 {
		t.Errorf("links expected %d, want 60", r.Links.Expected)
	}
	if r.Links.Up != r.Links.Expected {
		t.Errorf("links up %d of %d", r.Links.Up, r.Links.Expected)
	}
	if r.Handshakes.Completed < uint64(r.Links.Expected) {
		t.Errorf("%d handshakes for %d links", r.Handshakes.Completed, r.Links.Expected)
	}
	if r.Messages == 0 || r.Bytes == 0 {
		t.Errorf("no traffic counted: %d frames, %d bytes", r.Messages, r.Bytes)
	}
	if r.VirtualSeconds != 120 {
		t.Errorf("virtual seconds %v, want 120", r.VirtualSeconds)
	}
	r.WriteText(os.Stderr)
}

func TestRunDHTWorkload(t *testing.T) {
	r, err := Run(Config{Peers: 20, Degree: 4, Duration: 2 * time.Minute, Seed: 2, Workload: WorkloadDHT, Ops: 10, Compare: true})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteText(os.Stderr)
	if r.DHT == nil || r.DHT.Gets != 10 || r.DHT.Puts != 10 {
		t.Fatalf("dht report %+v, want 10 puts and 10 gets", r.DHT)
	}
	if r.DHT.GetSuccessRate < 0.9 {
		t.Errorf("get success rate %v, want at least 0.9", r.DHT.GetSuccessRate)
	}
	if r.DHTGreedy == nil {
		t.Fatal("no greedy comparison report")
	}
}

func TestRunDeterministic(t *testing.T) {
	cfg := Config{Peers: 100, Degree: 6, Duration: time.Minute, Seed: 9}
	if testing.Short() {
		cfg.Peers = 30
	}
	a, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.DeterministicFields(), b.DeterministicFields()) {
		t.Errorf("same seed, different reports:\n%+v\n%+v", a.DeterministicFields(), b.DeterministicFields())
	}
}

func TestRunGNSWorkload(t *testing.T) {
	r, err := Run(Config{Peers: 20, Degree: 4, Duration: 2 * time.Minute, Seed: 3, Workload: WorkloadGNS, Ops: 8})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteText(os.Stderr)
	if r.GNS == nil || r.GNS.Resolutions != 8 {
		t.Fatalf("gns report %+v, want 8 resolutions", r.GNS)
	}
	if r.GNS.SuccessRate < 0.9 {
		t.Errorf("gns success rate %v, want at least 0.9", r.GNS.SuccessRate)
	}
}

func TestRunCADETWorkload(t *testing.T) {
	r, err := Run(Config{Peers: 20, Degree: 4, Topology: Restricted, Duration: 3 * time.Minute, Seed: 4, Workload: WorkloadCADET, Ops: 6})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteText(os.Stderr)
	if r.CADET == nil || r.CADET.Channels != 6 || r.CADET.Probes != 3 {
		t.Fatalf("cadet report %+v, want 6 channels and 3 probes", r.CADET)
	}
	if r.CADET.ProbeReplies != 0 {
		t.Errorf("%d stealth probes got a reply, want none", r.CADET.ProbeReplies)
	}
	if r.CADET.OpenSuccessRate < 0.5 {
		t.Errorf("open success rate %v, want at least 0.5", r.CADET.OpenSuccessRate)
	}
}
