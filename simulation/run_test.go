package simulation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/hush-overlay/hush/identity"
	"reflect"
	"testing"
	"time"
)

func TestRunLinksComeUp(t *testing.T) {
	r, err := Run(Config{Peers: 30, Topology: Random, Degree: 4, Duration: 2 * time.Minute, Seed: 1, RekeyInterval: time.Minute})
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
	if r.Handshakes.Rekeys == 0 {
		t.Error("no rekeys with a 1-minute rekey interval over 2 minutes")
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
	cases := []Config{
		{Peers: 100, Degree: 6, Duration: time.Minute, Seed: 9, Churn: 0.1},
		{Peers: 20, Degree: 4, Duration: 2 * time.Minute, Seed: 9, Workload: WorkloadDHT, Ops: 5, Compare: true, Malicious: 0.1},
		{Peers: 20, Degree: 4, Duration: 2 * time.Minute, Seed: 9, Workload: WorkloadGNS, Ops: 5},
		{Peers: 20, Degree: 4, Duration: 3 * time.Minute, Seed: 9, Workload: WorkloadCADET, Ops: 4, Topology: Restricted},
	}
	if testing.Short() {
		cases = cases[:1]
		cases[0].Peers = 30
	}
	for _, cfg := range cases {
		a, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.DeterministicFields(), b.DeterministicFields()) {
			t.Errorf("workload %s: same seed, different reports:\n%+v\n%+v", cfg.Workload, a.DeterministicFields(), b.DeterministicFields())
		}
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
	r, err := Run(Config{Peers: 20, Degree: 4, Topology: Restricted, Duration: 3 * time.Minute, Seed: 4, Workload: WorkloadCADET, Ops: 8})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteText(os.Stderr)
	if r.CADET == nil || r.CADET.Channels != 8 || r.CADET.Probes != 4 {
		t.Fatalf("cadet report %+v, want 8 channels and 4 probes", r.CADET)
	}
	if r.CADET.ReplayedTokens != 1 {
		t.Errorf("%d replayed tokens sent, want 1", r.CADET.ReplayedTokens)
	}
	if r.CADET.Refused.Replay == 0 {
		t.Error("no open was refused as a replay")
	}
	if r.CADET.Refused.Stale == 0 {
		t.Error("no open was refused as stale")
	}
	if r.CADET.Refused.BadToken == 0 {
		t.Error("no open was refused for a bad token")
	}
	if r.CADET.ProbeReplies != 0 {
		t.Errorf("%d stealth probes got a reply, want none", r.CADET.ProbeReplies)
	}
	if r.CADET.OpenSuccessRate < 0.5 {
		t.Errorf("open success rate %v, want at least 0.5", r.CADET.OpenSuccessRate)
	}
}

func TestRunChurnTakesPeersOffline(t *testing.T) {
	r, err := Run(Config{Peers: 30, Degree: 4, Duration: 4 * time.Minute, Seed: 5, Churn: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if r.ChurnEvents == 0 {
		t.Fatal("no churn events at churn 0.2 per minute")
	}
	if r.FramesLost == 0 {
		t.Error("churn dropped no frames")
	}
	if r.Links.Up == 0 {
		t.Error("no links up after churn")
	}
}

func TestRunMaliciousInvalidBlocksRejected(t *testing.T) {
	r, err := Run(Config{Peers: 20, Degree: 4, Duration: 2 * time.Minute, Seed: 6, Workload: WorkloadDHT, Ops: 10,
		Malicious: 0.25, MaliciousMode: MaliciousInvalid, Compare: true})
	if err != nil {
		t.Fatal(err)
	}
	r.WriteText(os.Stderr)
	if r.Malicious != 5 {
		t.Errorf("%d malicious peers, want 5", r.Malicious)
	}
	// In a network this small, R5N PUTs reach every peer and GETs find
	// the block in the local store, so only the greedy DHT's GETs meet
	// forgers.
	if r.DHT.MessagesDropped+r.DHTGreedy.MessagesDropped == 0 {
		t.Error("honest peers dropped no forged results")
	}
	if r.DHT.GetSuccessRate < 0.5 {
		t.Errorf("get success rate %v with forged results, want at least 0.5", r.DHT.GetSuccessRate)
	}
}

func TestRunRestrictedKeepsToGraph(t *testing.T) {
	cfg := Config{Peers: 20, Topology: Restricted, Degree: 4, Duration: 2 * time.Minute, Seed: 7, Workload: WorkloadDHT, Ops: 5}.withDefaults()
	w, err := newWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	index := make(map[identity.PeerID]int)
	for _, p := range w.peers {
		index[p.id] = p.index
	}
	for _, p := range w.peers {
		for _, id := range p.core.Neighbours() {
			if !w.graph.HasEdge(p.index, index[id]) {
				t.Errorf("peer %d linked to %d, which is not its neighbour in the graph", p.index, index[id])
			}
		}
	}
}

func TestRunProgressCallback(t *testing.T) {
	var calls []Progress
	_, err := Run(Config{Peers: 10, Degree: 2, Duration: 30 * time.Second, Seed: 8, Progress: func(p Progress) { calls = append(calls, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 30 {
		t.Fatalf("%d progress calls for 30 virtual seconds, want 30", len(calls))
	}
	if last := calls[len(calls)-1]; last.Virtual != 30*time.Second || last.LinksUp != 10 {
		t.Errorf("last progress %+v, want 30s virtual and 10 links up", last)
	}
}

func TestRunInvalidConfig(t *testing.T) {
	cases := []Config{
		{Peers: 1},
		{Topology: "mesh"},
		{Workload: "email"},
		{Loss: 1},
		{Malicious: -0.1},
		{MaliciousMode: "lie"},
		{Churn: 2},
		{Workload: WorkloadDHT, Duration: 20 * time.Second},
	}
	for _, cfg := range cases {
		if _, err := Run(cfg); err == nil {
			t.Errorf("config %+v: no error", cfg)
		}
	}
}

// TestRun1000PeersLinksUp is the 1,000-peer run of `hush sim` without a
// workload. Its wall time and memory go to BenchmarkRun1000Random.
func TestRun1000PeersLinksUp(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 peers for 10 virtual minutes take several seconds")
	}
	r, err := Run(Config{Peers: 1000, Topology: Random, Degree: 8, Duration: 10 * time.Minute, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Links.Expected != 4000 {
		t.Errorf("links expected %d, want 4000", r.Links.Expected)
	}
	if r.Links.Up != r.Links.Expected {
		t.Errorf("links up %d of %d", r.Links.Up, r.Links.Expected)
	}
	r.WriteText(os.Stderr)
}

func TestRunContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	cfg := Config{Peers: 10, Degree: 2, Duration: time.Minute, Seed: 1, Progress: func(Progress) {
		calls++
		if calls == 3 {
			cancel()
		}
	}}
	r, err := RunContext(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if r != nil {
		t.Error("cancelled run returned a report")
	}
	if calls != 3 {
		t.Errorf("%d progress calls after cancelling at the third, want 3", calls)
	}
}

func TestReportJSONFields(t *testing.T) {
	r, err := Run(Config{Peers: 10, Degree: 2, Duration: 20 * time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(buf.Bytes(), &fields); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"peers", "seed", "topology", "links", "handshakes", "messages", "bytes", "virtual_seconds", "wall_seconds", "max_rss_bytes"} {
		if _, ok := fields[key]; !ok {
			t.Errorf("JSON report has no %q field", key)
		}
	}
	links := fields["links"].(map[string]any)
	if links["expected"] != 10.0 || links["up"] != 10.0 {
		t.Errorf("links %v, want 10 expected and 10 up", links)
	}
	if _, ok := fields["dht"]; ok {
		t.Error("dht field present without the DHT workload")
	}
}
