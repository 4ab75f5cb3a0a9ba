package cadet

import "time"

// RTO bounds. RFC 6298 requires a 1 s minimum to suit TCP's delayed
// acknowledgements of up to 500 ms. CADET receivers acknowledge within
// ackDelay, so a lower floor is safe.
//
// maxRTO departs from RFC 6298, which allows a cap of no less than 60 s:
// with 10 s a channel on a lossy path still retransmits about a dozen
// times before giveUpAfter ends it, instead of two or three times.
const (
	minRTO     = 200 * time.Millisecond
	maxRTO     = 10 * time.Second
	initialRTO = time.Second
	// rtoGranularity is G of RFC 6298 section 2, the clock granularity.
	rtoGranularity = time.Millisecond
)

// rttEstimator computes the retransmission timeout as RFC 6298 sections 2
// and 5 describe: SRTT and RTTVAR from samples (never from retransmitted
// messages, by Karn's algorithm), RTO = SRTT + max(G, 4 RTTVAR), doubled
// on each expiry until a new sample arrives or the sender clears the
// backoff because new data was acknowledged.
type rttEstimator struct {
	srtt, rttvar time.Duration
	hasSample    bool
	backoff      uint
}

func (r *rttEstimator) sample(rtt time.Duration) {
	r.backoff = 0
	if !r.hasSample {
		r.srtt, r.rttvar, r.hasSample = rtt, rtt/2, true
		return
	}
	diff := r.srtt - rtt
	if diff < 0 {
		diff = -diff
	}
	r.rttvar = (3*r.rttvar + diff) / 4
	r.srtt = (7*r.srtt + rtt) / 8
}

// rto returns the current timeout, backoff included.
func (r *rttEstimator) rto() time.Duration {
	base := initialRTO
	if r.hasSample {
		base = r.srtt + max(rtoGranularity, 4*r.rttvar)
	}
	base = min(max(base, minRTO), maxRTO)
	return min(base<<min(r.backoff, 16), maxRTO)
}

// expired doubles the timeout after a retransmission timer fired.
func (r *rttEstimator) expired() { r.backoff++ }

// smoothed returns SRTT, or the initial RTO before any sample.
func (r *rttEstimator) smoothed() time.Duration {
	if !r.hasSample {
		return initialRTO
	}
	return r.srtt
}
