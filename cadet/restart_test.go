package cadet

import (
	"fmt"
	"testing"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// TestChannelsAfterRemoteRestart restarts the far end of a tunnel as a
// daemon restarts. Its link to the only relay goes down, it comes back with
// the same key and no CADET state, and it links to the relay again 5 s
// later. The other end keeps opening channels like a client that retries,
// and one must open within seconds of the relink.
//
// With routeless, every lookup after the first returns the peer's HELLO
// without a path, as a DHT does from its local cache.
func TestChannelsAfterRemoteRestart(t *testing.T) {
	const relinked = 5 * time.Second
	for _, routeless := range []bool{false, true} {
		for _, first := range []time.Duration{0, time.Second, 4900 * time.Millisecond, 6 * time.Second, 30 * time.Second} {
			name := fmt.Sprintf("routeless %v, first open %v after the stop", routeless, first)
			t.Run(name, func(t *testing.T) {
				sim := loop.NewSim(11)
				net := newSimNet(t, sim, 3, Config{})
				net.chain(5 * time.Millisecond)
				bob, relay, alice := net.order[0], net.order[1], net.order[2]
				if routeless {
					bob.engine.cfg.Paths = &cachedPaths{inner: bob.engine.cfg.Paths}
				}
				secret := &[32]byte{7}
				s, _, err := transfer(t, sim, bob, alice, testData(1000), OpenOptions{Secret: secret}, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				checkDelivered(t, s, testData(1000))

				net.setLink(relay, alice, false)
				alice.start(Config{})
				listenSink(t, alice, "web", secret)
				sim.Schedule(relinked, func() { net.setLink(relay, alice, true) })
				start := sim.Elapsed()
				opened := openRepeatedly(sim, bob, alice, "web", secret, first, 20*time.Second)
				sim.RunFor(max(first, relinked) + 6*time.Second)
				if *opened < 0 {
					t.Fatalf("no channel opened within 6 s of the relink and the first open, tunnels %+v", bob.engine.Tunnels())
				}
				if at := *opened - start; at < relinked {
					t.Fatalf("channel opened %v after the stop, before the relink", at)
				}
			})
		}
	}
}

// cachedPaths passes the first lookup to inner and returns an empty HELLO
// and no path for each later one.
type cachedPaths struct {
	inner PathFinder
	used  bool
}

func (c *cachedPaths) FindPaths(target identity.PeerID, cb func([][]identity.PeerID, *hello.Hello)) func() {
	if c.used {
		cb(nil, &hello.Hello{})
		return func() {}
	}
	c.used = true
	return c.inner.FindPaths(target, cb)
}

// openRepeatedly opens a channel from a to port on b after first, like a
// client that gives up each attempt after giveUp and tries again 100 ms
// after a failure. The returned value becomes the time of the first open
// that succeeded, or stays -1.
func openRepeatedly(sim *loop.Sim, a, b *fakePeer, port string, secret *[32]byte, first, giveUp time.Duration) *time.Duration {
	opened := time.Duration(-1)
	var attempt func()
	attempt = func() {
		done := false
		cancel := a.engine.Open(b.id, port, OpenOptions{Secret: secret}, func(c *Channel, err error) {
			done = true
			if err != nil {
				sim.Schedule(100*time.Millisecond, attempt)
				return
			}
			if opened < 0 {
				opened = sim.Elapsed()
			}
			c.Close()
		})
		sim.Schedule(giveUp, func() {
			if !done {
				cancel()
			}
		})
	}
	sim.Schedule(first, attempt)
	return &opened
}
