package cadet

import (
	"bytes"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// TestSimultaneousHandshakeDelivers lets two directly linked peers open a
// channel to each other at the same moment over a link that reorders
// (20 ms jitter). Both start a handshake, and the peer with the larger ID
// responds to the other's KX_INIT and drops its own. A copy of the dropped
// KX_INIT may reach the smaller peer after its handshake finished, and
// that must not leave the two ends with different keys.
func TestSimultaneousHandshakeDelivers(t *testing.T) {
	stalled := 0
	for seed := uint64(1); seed <= 40; seed++ {
		sim := loop.NewSim(seed)
		net := newSimNetSeed(t, sim, 2, testConfig(), seed)
		net.chain(5 * time.Millisecond)
		for _, l := range net.links {
			l.jitter = 20 * time.Millisecond
		}
		a, b := net.order[0], net.order[1]
		data := []byte("hello")
		atB, atA := listenSink(t, b, "up", nil), listenSink(t, a, "down", nil)
		for _, d := range []struct {
			from, to *fakePeer
			port     string
		}{{a, b, "up"}, {b, a, "down"}} {
			d.from.engine.Open(d.to.id, d.port, OpenOptions{}, func(c *Channel, err error) {
				if err == nil {
					(&source{data: data, close: true}).attach(c)
				}
			})
		}
		sim.RunFor(10 * time.Second)
		if !bytes.Equal(atB.buf.Bytes(), data) || !bytes.Equal(atA.buf.Bytes(), data) {
			stalled++
			ta := a.engine.tunnels[b.id]
			tb := b.engine.tunnels[a.id]
			t.Errorf("seed %d: nothing delivered after 10 s; decryption failures %d and %d, canSend %v and %v",
				seed, ta.decryptFails, tb.decryptFails, ta.canSend(), tb.canSend())
		}
	}
	if stalled > 0 {
		t.Logf("%d of 40 runs stalled", stalled)
	}
}

// TestSimultaneousHandshakeTwoPaths is the same race without jitter:
// the peers are joined by a fast and a slower relay path (5 ms and 16 to
// 20 ms per link), so copies of a KX_INIT sent on both connections arrive
// far apart.
func TestSimultaneousHandshakeTwoPaths(t *testing.T) {
	for seed := uint64(46); seed <= 50; seed++ {
		sim := loop.NewSim(seed)
		net := newSimNetSeed(t, sim, 4, testConfig(), seed)
		a, r1, r2, b := net.order[0], net.order[1], net.order[2], net.order[3]
		slow := time.Duration(10+seed%40) * time.Millisecond
		net.connect(a, r1, 5*time.Millisecond)
		net.connect(r1, b, 5*time.Millisecond)
		net.connect(a, r2, slow)
		net.connect(r2, b, slow)
		data := []byte("hello")
		atB, atA := listenSink(t, b, "up", nil), listenSink(t, a, "down", nil)
		a.engine.Open(b.id, "up", OpenOptions{}, func(c *Channel, err error) {
			if err == nil {
				(&source{data: data, close: true}).attach(c)
			}
		})
		b.engine.Open(a.id, "down", OpenOptions{}, func(c *Channel, err error) {
			if err == nil {
				(&source{data: data, close: true}).attach(c)
			}
		})
		sim.RunFor(10 * time.Second)
		if !bytes.Equal(atB.buf.Bytes(), data) || !bytes.Equal(atA.buf.Bytes(), data) {
			small, large := a, b
			if a.id.Compare(b.id) > 0 {
				small, large = b, a
			}
			ts, tl := small.engine.tunnels[large.id], large.engine.tunnels[small.id]
			t.Errorf("seed %d, slow path %v per link: nothing delivered after 10 s; smaller-ID peer: canSend %v, decryption failures %d; larger-ID peer: canSend %v",
				seed, slow, ts.canSend(), ts.decryptFails, tl.canSend())
		}
	}
}
