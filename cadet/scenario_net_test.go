package cadet

import (
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// diamond links 0-1-3 and 0-2-3, so 0 reaches 3 over two disjoint paths.
func diamond(t testing.TB, sim *loop.Sim, latency time.Duration) *fakeNet {
	net := newSimNet(t, sim, 4, testConfig())
	p := net.order
	net.connect(p[0], p[1], latency)
	net.connect(p[1], p[3], latency)
	net.connect(p[0], p[2], latency)
	net.connect(p[2], p[3], latency)
	return net
}

func TestTransferLoss(t *testing.T) {
	for _, loss := range []float64{0.05, 0.20} {
		sim := loop.NewSim(3)
		net := newSimNet(t, sim, 3, testConfig())
		net.chain(10 * time.Millisecond)
		for _, l := range net.links {
			l.loss = loss
		}
		data := testData(200 << 10)
		s, _, err := transfer(t, sim, net.order[0], net.order[2], data, OpenOptions{}, 5*time.Minute)
		if err != nil {
			t.Fatalf("loss %.2f: open: %v", loss, err)
		}
		checkDelivered(t, s, data)
	}
}

func TestTransferReordering(t *testing.T) {
	sim := loop.NewSim(4)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(5 * time.Millisecond)
	for _, l := range net.links {
		l.jitter = 30 * time.Millisecond
	}
	data := testData(200 << 10)
	s, _, err := transfer(t, sim, net.order[0], net.order[2], data, OpenOptions{}, time.Minute)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	checkDelivered(t, s, data)
}

// TestPathBreakReroute breaks the link the tunnel uses in the middle of a
// transfer; the tunnel must move to the other path and finish.
func TestPathBreakReroute(t *testing.T) {
	sim := loop.NewSim(5)
	net := diamond(t, sim, 10*time.Millisecond)
	p := net.order
	s := listenSink(t, p[3], "bulk", nil)
	data := testData(8 << 20)
	p[0].engine.Open(p[3].id, "bulk", OpenOptions{}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		(&source{data: data, close: true}).attach(c)
	})
	sim.RunFor(200 * time.Millisecond)
	if s.buf.Len() == 0 || s.buf.Len() == len(data) {
		t.Fatalf("%d bytes after 200 ms: test needs a transfer in progress", s.buf.Len())
	}
	used := p[0].engine.Tunnels()[0].Connections[0][1]
	if used == p[1].id {
		net.setLink(p[1], p[3], false)
	} else {
		net.setLink(p[2], p[3], false)
	}
	sim.RunFor(time.Minute)
	checkDelivered(t, s, data)
}

// TestRelayRestart restarts the only relay mid-transfer: its routes are
// gone, the ends learn it from BROKEN and build a new connection.
func TestRelayRestart(t *testing.T) {
	sim := loop.NewSim(6)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	p := net.order
	s := listenSink(t, p[2], "bulk", nil)
	data := testData(8 << 20)
	p[0].engine.Open(p[2].id, "bulk", OpenOptions{}, func(c *Channel, err error) {
		if err == nil {
			(&source{data: data, close: true}).attach(c)
		}
	})
	sim.RunFor(200 * time.Millisecond)
	if s.buf.Len() == 0 || s.buf.Len() == len(data) {
		t.Fatalf("%d bytes after 200 ms: test needs a transfer in progress", s.buf.Len())
	}
	p[1].start(testConfig())
	sim.RunFor(2 * time.Minute)
	checkDelivered(t, s, data)
}

// TestEndpointRestart restarts the accepting peer: the initiator's tunnel
// must run a new handshake, and a new channel works.
func TestEndpointRestart(t *testing.T) {
	sim := loop.NewSim(7)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	p := net.order
	s, _, err := transfer(t, sim, p[0], p[2], testData(1000), OpenOptions{}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, testData(1000))
	p[2].start(testConfig())
	data := testData(5000)
	s2, _, err := transfer(t, sim, p[0], p[2], data, OpenOptions{}, time.Minute)
	if err != nil {
		t.Fatalf("open after restart: %v", err)
	}
	checkDelivered(t, s2, data)
}

func TestNoPath(t *testing.T) {
	sim := loop.NewSim(8)
	net := newSimNet(t, sim, 3, testConfig())
	net.connect(net.order[0], net.order[1], time.Millisecond)
	var got error
	net.order[0].engine.Open(net.order[2].id, "x", OpenOptions{}, func(_ *Channel, err error) { got = err })
	sim.RunFor(time.Second)
	if got != ErrNoPath {
		t.Fatalf("open to an unreachable peer: %v, want ErrNoPath", got)
	}
}

// TestTransferLossSeeds repeats a lossy, reordering transfer over one
// relay (20% loss on each link, 36% on the path) with 20 loss seeds, so
// that rare loss patterns (long runs of lost acknowledgements, a
// connection declared dead mid-transfer) are exercised.
func TestTransferLossSeeds(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		sim := loop.NewSim(seed)
		net := newSimNetSeed(t, sim, 3, testConfig(), seed)
		net.chain(10 * time.Millisecond)
		for _, l := range net.links {
			l.loss, l.jitter = 0.2, 15*time.Millisecond
		}
		data := testData(300 << 10)
		s, _, err := transfer(t, sim, net.order[0], net.order[2], data, OpenOptions{}, 10*time.Minute)
		if err != nil || s.buf.Len() != len(data) || !s.eof {
			t.Errorf("seed %d: open err %v, received %d of %d bytes, eof %v, receiver err %v", seed, err, s.buf.Len(), len(data), s.eof, s.err)
		}
	}
}
