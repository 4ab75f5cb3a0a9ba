// Package loop is the peer runtime: the environment that hush's protocol
// state machines run in.
//
// Every peer owns one event loop. All of a peer's protocol state (CORE links,
// DHT routing, CADET tunnels, GNS resolutions) is touched only by functions
// running on that loop. Protocol code never reads the wall clock, sleeps,
// starts timers of its own or draws from global random sources: it asks its
// Env. Two drivers implement Env:
//
//   - Real, for daemons: wall-clock time, crypto/rand, and a goroutine that
//     runs posted functions one at a time.
//   - Sim, for simulation and deterministic tests: one discrete-event queue in
//     virtual time shared by many peers, each with its own seeded random
//     source, so a run is reproducible from its seed.
package loop

import (
	"encoding/binary"
	"io"
	"log/slog"
	"time"
)

// Env is what a peer's protocol code may ask of its environment. All methods
// except Post must be called on the peer's loop.
type Env interface {
	// Now returns the current time: wall clock in a daemon, virtual time in a
	// simulation.
	Now() time.Time
	// After arranges for fire to run on the peer's loop once d has passed.
	After(d time.Duration, fire func()) Timer
	// Post runs fn on the peer's loop as soon as possible. It is the only
	// method that is safe to call from any goroutine.
	Post(fn func())
	// Rand returns the peer's random source: crypto/rand in a daemon, a
	// per-peer seeded stream in a simulation.
	Rand() io.Reader
	// Log returns the peer's logger, which names the peer.
	Log() *slog.Logger
}

// Timer is a pending call armed by Env.After.
type Timer interface {
	// Stop cancels the call. It returns false if the call already ran or was
	// already stopped. Called on the loop, Stop guarantees that fire will not
	// run afterwards.
	Stop() bool
}

// Uint64 reads a random 64-bit value from r. The sources that Env returns do
// not fail, so a read error is a broken invariant and panics.
func Uint64(r io.Reader) uint64 {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("loop: random source failed: " + err.Error())
	}
	return binary.LittleEndian.Uint64(b[:])
}

// IntN returns a uniformly random int in [0, n). It panics if n <= 0.
func IntN(r io.Reader, n int) int {
	if n <= 0 {
		panic("loop: IntN with n <= 0")
	}
	limit := ^uint64(0) - ^uint64(0)%uint64(n)
	for {
		v := Uint64(r)
		if v < limit {
			return int(v % uint64(n))
		}
	}
}

// Jitter returns d scaled by a random factor in [1-frac, 1+frac), so that
// periodic work of many peers does not synchronise.
func Jitter(r io.Reader, d time.Duration, frac float64) time.Duration {
	u := float64(Uint64(r)>>11) / (1 << 53)
	return time.Duration(float64(d) * (1 - frac + 2*frac*u))
}

// Shuffle permutes n elements with swap, using r.
func Shuffle(r io.Reader, n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, IntN(r, i+1))
	}
}
