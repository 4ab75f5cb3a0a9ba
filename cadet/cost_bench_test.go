package cadet

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/loop"
)

// Cost measurements of CADET on the fake network in virtual time. Every
// link has the same latency costLink with no jitter or loss, so a one-way
// trip over r relays takes (r+1)*costLink, and the virtual times below are
// exact multiples of it unless the protocol waits on a timer.
const (
	costLink      = 10 * time.Millisecond
	costMaxWait   = 30 * time.Second // virtual time before a measurement gives up
	costFirstData = "first payload"
)

// openTiming is the virtual time from an Open call until the listener's
// accept callback could read the first payload, and until the opener's
// done callback ran. A negative value means the event never happened.
type openTiming struct {
	firstPayload time.Duration
	opened       time.Duration
}

// timeOpen listens on port at z, opens a channel from a to it with the
// first payload costFirstData and steps the Sim until both callbacks ran
// or costMaxWait passed.
func timeOpen(tb testing.TB, sim *loop.Sim, a, z *fakePeer, port string, secret *[32]byte) openTiming {
	tb.Helper()
	timing := openTiming{firstPayload: -1, opened: -1}
	start := sim.Elapsed()
	accept := func(c *Channel) {
		buf := make([]byte, len(costFirstData)+1)
		n, _ := c.Read(buf)
		if string(buf[:n]) == costFirstData {
			timing.firstPayload = sim.Elapsed() - start
		}
	}
	if _, err := z.engine.ListenPort(port, secret, accept); err != nil {
		tb.Fatal(err)
	}
	opts := OpenOptions{Secret: secret, FirstPayload: []byte(costFirstData)}
	a.engine.Open(z.id, port, opts, func(c *Channel, err error) {
		if err != nil {
			tb.Errorf("open of port %q: %v", port, err)
			return
		}
		timing.opened = sim.Elapsed() - start
	})
	for (timing.firstPayload < 0 || timing.opened < 0) && sim.Elapsed()-start < costMaxWait && sim.Step() {
	}
	return timing
}

// warmTunnel opens one public channel from a to z and waits for it, so
// that the tunnel between them is set up and idle afterwards.
func warmTunnel(tb testing.TB, sim *loop.Sim, a, z *fakePeer) {
	tb.Helper()
	if timing := timeOpen(tb, sim, a, z, "warm-up", nil); timing.opened < 0 {
		tb.Fatalf("warm-up channel did not open within %v", costMaxWait)
	}
	sim.RunFor(time.Second)
}

// openOnTunnel sets up a chain of three peers (one relay), brings the
// tunnel from the first to the last up, and times a second open on it.
func openOnTunnel(tb testing.TB, secret *[32]byte) openTiming {
	tb.Helper()
	sim := loop.NewSim(31)
	net := newSimNet(tb, sim, 3, testConfig())
	net.chain(costLink)
	a, z := net.order[0], net.order[2]
	warmTunnel(tb, sim, a, z)
	return timeOpen(tb, sim, a, z, "measured", secret)
}

// oneWayTrips expresses d in one-way trips over a path with relays relays.
func oneWayTrips(d time.Duration, relays int) float64 {
	return float64(d) / float64(time.Duration(relays+1)*costLink)
}

// BenchmarkChannelOpenLatency measures a channel open on a tunnel that is
// already up, over one relay. first-payload-one-way-trips is the time
// from Open until the listener's accept callback reads the first payload,
// and open-one-way-trips until the opener's done callback, both in units
// of the one-way path delay (2 links). The protocol target is 1.0 for the
// first payload and 2.0 (one round trip) for done. ns/op is wall time of
// the whole run, including the network and the warm-up tunnel set-up.
func BenchmarkChannelOpenLatency(b *testing.B) {
	for _, tc := range []struct {
		name   string
		secret *[32]byte
	}{{"stealth", &stealthSecret}, {"public", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			var sum openTiming
			for range b.N {
				timing := openOnTunnel(b, tc.secret)
				if timing.firstPayload < 0 || timing.opened < 0 {
					b.Fatalf("open did not complete: %+v", timing)
				}
				sum.firstPayload += timing.firstPayload
				sum.opened += timing.opened
			}
			b.ReportMetric(oneWayTrips(sum.firstPayload/time.Duration(b.N), 1), "first-payload-one-way-trips")
			b.ReportMetric(oneWayTrips(sum.opened/time.Duration(b.N), 1), "open-one-way-trips")
			b.ReportMetric(float64(sum.opened/time.Duration(b.N))/float64(time.Millisecond), "open-virtual-ms")
		})
	}
}

// BenchmarkTunnelSetup measures the first channel open to a peer with no
// tunnel yet over 0, 1 and 2 relays: path lookup (instant in the fake
// network), the CREATE round trip, the Noise IK round trip, and the
// CHANNEL_OPEN round trip. setup-virtual-ms and open-one-way-trips run
// until the opener's done callback, first-payload-one-way-trips until
// the listener reads the first payload.
//
// ns/op is the wall (CPU) time of one set-up: the Open call and every
// simulated event until done, on all peers of the path. That covers both
// handshake ends, ratchet creation, the relays' forwarding, the encryption
// of the open and its acknowledgement, and the fake network's copying and
// event queue. Building the network, the peers' keys and engines is
// excluded by stopping the timer, so each set-up goes to a fresh peer.
func BenchmarkTunnelSetup(b *testing.B) {
	for _, relays := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("relays=%d", relays), func(b *testing.B) {
			var sum openTiming
			for i := range b.N {
				b.StopTimer()
				sim := loop.NewSim(uint64(40 + i))
				net := newSimNet(b, sim, relays+2, testConfig())
				net.chain(costLink)
				sim.RunFor(0) // deliver the link-up events
				a, z := net.order[0], net.order[relays+1]
				b.StartTimer()
				timing := timeOpen(b, sim, a, z, "setup", nil)
				b.StopTimer()
				if timing.firstPayload < 0 || timing.opened < 0 {
					b.Fatalf("set-up did not complete: %+v", timing)
				}
				sum.firstPayload += timing.firstPayload
				sum.opened += timing.opened
			}
			mean := sum.opened / time.Duration(b.N)
			b.ReportMetric(float64(mean)/float64(time.Millisecond), "setup-virtual-ms")
			b.ReportMetric(oneWayTrips(mean, relays), "open-one-way-trips")
			b.ReportMetric(oneWayTrips(sum.firstPayload/time.Duration(b.N), relays), "first-payload-one-way-trips")
		})
	}
}

// heapAlloc returns the live heap in bytes after two full collections.
// Objects that a sync.Pool moved to its victim cache in the first
// collection are freed only by the second.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// idleChannels is the number of channels BenchmarkIdleChannelMemory opens.
// It stays below maxChannels per tunnel, because the warm-up channel
// stays open too.
const idleChannels = 1000

// BenchmarkIdleChannelMemory opens idleChannels idle channels (no data)
// from one peer to a direct neighbour over one existing tunnel and
// reports the growth of the live heap per channel, both ends together.
// That covers the opener's and the acceptor's channel state, send and
// receive buffers, Channel handles, entries in the tunnels' channel maps
// and any timers still pending after 2 s of virtual time. The figure also
// contains the growth of the Sim's event queue array while the opens were
// in flight. Opening in batches of 20 instead gave 4 bytes less per
// channel, so that share is small.
func BenchmarkIdleChannelMemory(b *testing.B) {
	var total float64
	for range b.N {
		total += idleChannelBytes(b)
	}
	b.ReportMetric(total/float64(b.N), "bytes/channel")
}

func idleChannelBytes(b *testing.B) float64 {
	sim := loop.NewSim(51)
	net := newSimNet(b, sim, 2, testConfig())
	net.chain(costLink)
	a, z := net.order[0], net.order[1]
	warmTunnel(b, sim, a, z)
	opened := make([]*Channel, 0, idleChannels)
	accepted := make([]*Channel, 0, idleChannels)
	if _, err := z.engine.ListenPort("idle", nil, func(c *Channel) { accepted = append(accepted, c) }); err != nil {
		b.Fatal(err)
	}
	before := heapAlloc()
	for range idleChannels {
		a.engine.Open(z.id, "idle", OpenOptions{}, func(c *Channel, err error) {
			if err == nil {
				opened = append(opened, c)
			}
		})
	}
	sim.RunFor(2 * time.Second)
	after := heapAlloc()
	if len(opened) != idleChannels || len(accepted) != idleChannels {
		b.Fatalf("%d channels opened and %d accepted, want %d", len(opened), len(accepted), idleChannels)
	}
	runtime.KeepAlive(opened)
	runtime.KeepAlive(accepted)
	runtime.KeepAlive(net)
	return (float64(after) - float64(before)) / idleChannels
}

// relayedPeers is the number of endpoint peers whose tunnels cross the
// relay in BenchmarkRelayMemory.
const relayedPeers = 1000

// BenchmarkRelayMemory builds a dumbbell. relayedPeers endpoint peers are
// each linked only to the relay R, and R is linked to the server S. Each
// endpoint opens one idle channel to S, so each tunnel has connections
// over R and nowhere else. R stores only the connection ID and its two
// neighbours for each.
//
// relay-bytes/connection is what R frees when its relay table drops
// every route: the routes map and the route entries, divided by the
// number of routes R holds. It is measured by swapping R's routes map
// for an empty one and comparing the live heap. all-peers-bytes/connection
// is the growth of the whole process's live heap from before the opens,
// per route: both tunnel ends (handshake results, ratchet, channel) as
// well as R's route. routes/tunnel is how many connections each tunnel
// keeps over R.
func BenchmarkRelayMemory(b *testing.B) {
	var relay, all, routesPerTunnel float64
	for range b.N {
		m := relayMemory(b)
		relay += m.relayBytes
		all += m.allBytes
		routesPerTunnel += m.routesPerTunnel
	}
	n := float64(b.N)
	b.ReportMetric(relay/n, "relay-bytes/connection")
	b.ReportMetric(all/n, "all-peers-bytes/connection")
	b.ReportMetric(routesPerTunnel/n, "routes/tunnel")
}

type relayCost struct {
	relayBytes      float64
	allBytes        float64
	routesPerTunnel float64
}

func relayMemory(b *testing.B) relayCost {
	sim := loop.NewSim(61)
	cfg := testConfig()
	cfg.MaxTunnels = relayedPeers + 1
	net := newSimNet(b, sim, relayedPeers+2, cfg)
	relay, server := net.order[0], net.order[1]
	net.connect(relay, server, costLink)
	for _, p := range net.order[2:] {
		net.connect(p, relay, costLink)
	}
	sim.RunFor(0)
	opened := 0
	if _, err := server.engine.ListenPort("idle", nil, func(*Channel) {}); err != nil {
		b.Fatal(err)
	}
	before := heapAlloc()
	for _, p := range net.order[2:] {
		p.engine.Open(server.id, "idle", OpenOptions{}, func(c *Channel, err error) {
			if err == nil {
				opened++
			}
		})
	}
	sim.RunFor(3 * time.Second)
	if opened != relayedPeers {
		b.Fatalf("%d of %d channels opened", opened, relayedPeers)
	}
	return measureRoutes(b, relay, before)
}

// measureRoutes compares the live heap with and without the relay's
// routes. It leaves the relay with an empty table, so call it last.
func measureRoutes(b *testing.B, relay *fakePeer, before uint64) relayCost {
	table := relay.engine.relay
	routes := len(table.routes)
	if routes < relayedPeers {
		b.Fatalf("relay holds %d routes, want at least %d", routes, relayedPeers)
	}
	withRoutes := heapAlloc()
	table.routes = map[wire.ConnID]*route{}
	withoutRoutes := heapAlloc()
	// Without this the collector may free the whole network, which is
	// no longer used, and count it as the routes' memory.
	runtime.KeepAlive(relay.net)
	return relayCost{
		relayBytes:      (float64(withRoutes) - float64(withoutRoutes)) / float64(routes),
		allBytes:        (float64(withRoutes) - float64(before)) / float64(routes),
		routesPerTunnel: float64(routes) / relayedPeers,
	}
}
