//go:build unix

package node

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// processCPU returns the CPU time (user plus system) the process used so
// far.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU reports the CPU the process spent per transferred byte and
// the cores it kept busy while the benchmark timer ran.
func measureCPU(b *testing.B, bytes int) func() {
	start, wall := processCPU(), time.Now()
	return func() {
		cpu, elapsed := processCPU()-start, time.Since(wall)
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(bytes*b.N), "cpu-ns/B")
		b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores")
	}
}
