package dht

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"time"

	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// Network size estimation by gossip, after GNUnet's NSE idea without its
// proof of work.
//
// Time is cut into rounds of Config.EstimateRound, numbered from the Unix
// epoch so that all peers agree. Round r defines estimateSamples keys,
// SHA-256("hush-nse" || r || i). For each key every peer computes how many
// leading bits its own position shares with it, and floods the largest
// value it has seen to its neighbours. After the round, each flooded value
// is the maximum over all N peers of a geometric variable, whose mean is
// log2(N) + 0.3327 (the constant is γ/ln 2 − 1/2). Averaging the samples of
// the last estimateHistory rounds gives log2(N) with a standard deviation
// near 1.87/sqrt(32·8) ≈ 0.12 bits.
//
// NOTE: samples are not authenticated, so one lying peer can inflate the
// estimate; GNUnet prevents this with signed, proof-of-work-backed messages.

const (
	estimateSamples = 32
	estimateHistory = 8
	// estimateBias is E[max] − log2(N) for the maximum of N geometric(1/2)
	// variables.
	estimateBias = 0.332747
	// estimateFlushDelay batches improvements before they are flooded.
	estimateFlushDelay = 500 * time.Millisecond
)

type estimator struct {
	round uint64
	// first is the round this peer started in. Its samples may miss
	// values flooded before we joined, so it is not averaged.
	first   uint64
	best    [estimateSamples]uint8
	sent    [estimateSamples]uint8
	history [][estimateSamples]uint8
	flush   loop.Timer
	timer   loop.Timer
}

// roundAt returns the round number at now.
func roundAt(now time.Time, length time.Duration) uint64 {
	return uint64(now.UnixNano() / int64(length))
}

// roundSamples returns the samples of one peer position for a round.
func roundSamples(round uint64, pos keyspace.Position) [estimateSamples]uint8 {
	var out [estimateSamples]uint8
	for i := range out {
		b := binary.BigEndian.AppendUint64([]byte("hush-nse"), round)
		key := keyspace.Position(sha256.Sum256(append(b, byte(i))))
		out[i] = uint8(min(keyspace.CommonPrefixLen(pos, key), 255))
	}
	return out
}

// log2Size returns the estimate of log2 of the network size. Before a round
// has completed it falls back to the routing table's size, a lower bound.
func (d *DHT) log2Size() float64 {
	h := d.est.history
	if len(h) == 0 {
		return math.Max(1, math.Log2(float64(d.table.size()+1)))
	}
	sum := 0.0
	for _, s := range h {
		for _, v := range s {
			sum += float64(v)
		}
	}
	return math.Max(1, sum/float64(len(h)*estimateSamples)-estimateBias)
}

// startEstimate arms the round timer; it runs from New.
func (d *DHT) startEstimate() {
	d.beginRound(roundAt(d.env.Now(), d.cfg.EstimateRound))
}

// beginRound closes the current round and starts round r with our own
// samples, which it sends to every neighbour.
func (d *DHT) beginRound(r uint64) {
	e := &d.est
	if e.round == 0 {
		e.first = r
	}
	if e.round != 0 && e.round != e.first && e.round < r {
		e.history = append(e.history, e.best)
		if len(e.history) > estimateHistory {
			e.history = e.history[1:]
		}
	}
	e.round = r
	e.best = roundSamples(r, d.table.self)
	e.sent = [estimateSamples]uint8{}
	if e.timer != nil {
		e.timer.Stop()
	}
	next := time.Unix(0, int64(r+1)*int64(d.cfg.EstimateRound))
	e.timer = d.env.After(next.Sub(d.env.Now()), func() { d.beginRound(r + 1) })
	d.scheduleFlush()
}

// handleEstimate merges a neighbour's samples. A sample for the next round
// starts that round early, since clocks differ a little between peers.
func (d *DHT) handleEstimate(from identity.PeerID, msg []byte) {
	m, err := wire.ParseEstimate(msg)
	if err != nil || len(m.Samples) != estimateSamples {
		d.drop(from, wire.TypeEstimate, err)
		return
	}
	if m.Round == d.est.round+1 {
		d.beginRound(m.Round)
	}
	if m.Round != d.est.round {
		return
	}
	improved := false
	for i, v := range m.Samples {
		if v > d.est.best[i] {
			d.est.best[i], improved = v, true
		}
	}
	if improved {
		d.scheduleFlush()
	}
}

func (d *DHT) scheduleFlush() {
	if d.est.flush == nil {
		d.est.flush = d.env.After(estimateFlushDelay, d.flushEstimate)
	}
}

// flushEstimate sends our best samples to all neighbours if they improved
// since the last flush.
func (d *DHT) flushEstimate() {
	d.est.flush = nil
	if d.est.best == d.est.sent {
		return
	}
	d.est.sent = d.est.best
	d.sendEstimate(d.neighbourIDs()...)
}

func (d *DHT) sendEstimate(to ...identity.PeerID) {
	msg := (&wire.Estimate{Round: d.est.round, Samples: d.est.best[:]}).Append(nil)
	for _, p := range to {
		d.send(p, wire.TypeEstimate, msg)
	}
}
