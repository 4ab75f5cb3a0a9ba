package simulation

import (
	"math"
	"slices"
	"time"
)

// percentile returns the p-th percentile (0 to 100) of values by the
// nearest-rank method, or 0 for no values. It sorts values in place.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	slices.Sort(values)
	rank := int(math.Ceil(p / 100 * float64(len(values))))
	rank = max(rank, 1)
	return values[min(rank, len(values))-1]
}

func milliseconds(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// ratio returns part/whole, or 0 when whole is 0.
func ratio(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}
