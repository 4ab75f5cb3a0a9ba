package core

import (
	"context"
	"log/slog"
	"time"
)

// probeClass is the reason an inbound connection was dropped without a reply.
// Every class gets the same treatment; the class only feeds Stats and the
// debug log.
type probeClass uint8

const (
	probeNone probeClass = iota
	// probeUndecryptable: the first frame is not a Noise IK first message for
	// our static key (random bytes, truncation, flipped bits, another peer's
	// key, another protocol version).
	probeUndecryptable
	// probeMalformed: the message decrypted but its payload is not a
	// timestamp followed by a HELLO.
	probeMalformed
	probeStale
	probeFuture
	probeReplay
	// probeBadHello: the HELLO does not verify, has expired, names us, or
	// names a peer whose key is not the initiator's static key.
	probeBadHello
	// probeRefused: a valid first message that CORE declined (link limit,
	// or the simultaneous-dial rule kept another link).
	probeRefused
	// probeOverflow: more unauthenticated connections than MaxPending.
	probeOverflow
	// probeSilent: no first frame arrived before the deadline.
	probeSilent
	probeClassCount
)

var probeClassNames = [probeClassCount]string{
	probeNone:          "none",
	probeUndecryptable: "undecryptable",
	probeMalformed:     "malformed",
	probeStale:         "stale-timestamp",
	probeFuture:        "future-timestamp",
	probeReplay:        "replay",
	probeBadHello:      "bad-hello",
	probeRefused:       "refused",
	probeOverflow:      "pending-overflow",
	probeSilent:        "silent-timeout",
}

func (p probeClass) String() string {
	if p < probeClassCount {
		return probeClassNames[p]
	}
	return "unknown"
}

// probeLogBurst is how many probe drops are logged per probeLogPeriod; the
// rest are only counted, so a scan cannot flood the log.
const (
	probeLogBurst  = 10
	probeLogPeriod = time.Minute
)

// probeLog rate-limits the debug lines about dropped probes.
type probeLog struct {
	periodStart time.Time
	logged      int
	suppressed  uint64
}

func (l *probeLog) log(log *slog.Logger, now time.Time, class probeClass, remote string) {
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	if now.Sub(l.periodStart) >= probeLogPeriod {
		if l.suppressed > 0 {
			log.Debug("core: probe log suppressed lines", "count", l.suppressed)
		}
		l.periodStart, l.logged, l.suppressed = now, 0, 0
	}
	if l.logged >= probeLogBurst {
		l.suppressed++
		return
	}
	l.logged++
	log.Debug("core: dropped inbound connection silently", "class", class.String(), "remote", remote)
}
