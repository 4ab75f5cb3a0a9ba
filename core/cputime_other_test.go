//go:build !linux

package core

import "time"

// cpuTime is not measured outside Linux; benchmarks then report zero.
func cpuTime(bool) time.Duration { return 0 }
