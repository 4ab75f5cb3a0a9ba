package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkIdleDaemonMemory reports the resident memory of a daemon that
// holds 10 idle links, after the links have been up for a while. It builds
// a binary without the race detector, since that multiplies memory use.
//
//	go test -run XXX -bench IdleDaemonMemory -benchtime 1x ./cmd/hush
func BenchmarkIdleDaemonMemory(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "hush")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	saved := hushBinary
	hushBinary = bin
	defer func() { hushBinary = saved }()

	for i := 0; i < b.N; i++ {
		b.ReportMetric(float64(idleHubRSS(b)), "rss-bytes")
	}
}

// idleHubRSS starts a hub and 10 peers linked to it, waits, and returns the
// hub's VmRSS.
func idleHubRSS(b *testing.B) int64 {
	hub := newDaemon(b, nil)
	for i := 0; i < 10; i++ {
		leaf := newDaemon(b, nil)
		mustHush(b, "connect", "--home", leaf.home, hub.target(b))
	}
	waitFor(b, 30*time.Second, "10 links", func() bool { return len(hub.peers(b)) == 10 })
	time.Sleep(20 * time.Second) // keepalives, DHT maintenance and GC settle
	return vmRSS(b, hub.cmd.Process.Pid)
}

func vmRSS(b *testing.B, pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc status")
	return 0
}
