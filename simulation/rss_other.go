//go:build !linux

package simulation

// maxRSS returns 0 where the peak resident set size is not measured.
func maxRSS() uint64 { return 0 }
