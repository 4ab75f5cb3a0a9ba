package core

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime returns the CPU time (user plus system) used so far by the
// calling thread when thread is set, else by the whole process. Benchmarks
// report it because wall time on a shared machine measures the other
// tenants as much as the code.
func cpuTime(thread bool) time.Duration {
	who := unix.RUSAGE_SELF
	if thread {
		who = unix.RUSAGE_THREAD
	}
	var ru unix.Rusage
	if err := unix.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
