package simulation

import "syscall"

// maxRSS returns the process's peak resident set size in bytes, from
// getrusage. Linux reports ru_maxrss in KiB. It returns 0 if the call fails.
func maxRSS() uint64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return uint64(usage.Maxrss) * 1024
}
