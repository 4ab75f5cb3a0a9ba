package cadet

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/loop"
)

var update = flag.Bool("update", false, "rewrite golden transcripts in testdata")

// TestTunnelSetupTranscript records every message of a tunnel set-up and
// channel open over one relay, with virtual send times, and compares it
// with testdata/tunnel_setup.golden. Run with -update after an intended
// protocol change and review the diff.
func TestTunnelSetupTranscript(t *testing.T) {
	sim := loop.NewSim(41)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	names := map[string]string{}
	for _, p := range net.order {
		names[string(p.id[:])] = p.String()
	}
	var lines []string
	net.record = true
	listenSink(t, net.order[2], "echo", nil)
	net.order[0].engine.Open(net.order[2].id, "echo", OpenOptions{FirstPayload: []byte("hi")}, func(c *Channel, err error) {
		lines = append(lines, fmt.Sprintf("%v peer0 open done err=%v", sim.Elapsed(), err))
		c.Close()
	})
	sim.RunFor(3 * time.Second)
	for _, p := range net.order {
		for _, m := range net.sent[p.id] {
			lines = append(lines, fmt.Sprintf("%v %s -> %s %s %d bytes", m.at, p, names[string(m.to[:])], wire.Type(m.msg[0]), len(m.msg)))
		}
	}
	compareGolden(t, "tunnel_setup.golden", sortLines(lines))
}

// sortLines orders transcript lines by time, keeping the order of equal
// times stable.
func sortLines(lines []string) string {
	parsed := make([]time.Duration, len(lines))
	for i, l := range lines {
		parsed[i], _ = time.ParseDuration(strings.Fields(l)[0])
	}
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && parsed[j] < parsed[j-1]; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
			parsed[j], parsed[j-1] = parsed[j-1], parsed[j]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("transcript differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}
