package cadet

import (
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// TestIdleTunnelStepsBeforeExpiry opens a channel, exchanges one message
// each way, and leaves the tunnel idle for 61 minutes, past the ratchet's
// default StepInterval of one hour (connection keepalives keep the path
// up). Then each side in turn writes first. The keepalive that requests a
// step on an old chain must have renewed both chains, so the write
// arrives without a new handshake.
func TestIdleTunnelStepsBeforeExpiry(t *testing.T) {
	for _, firstWriter := range []string{"opener", "acceptor"} {
		t.Run(firstWriter, func(t *testing.T) {
			sim := loop.NewSim(5)
			cfg := testConfig() // default ratchet limits: 64 messages or one hour
			net := newSimNet(t, sim, 2, cfg)
			net.chain(5 * time.Millisecond)
			a, b := net.order[0], net.order[1]
			bs := listenSink(t, b, "idle", nil)
			as := &sink{}
			var ach *Channel
			a.engine.Open(b.id, "idle", OpenOptions{}, func(c *Channel, err error) {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				ach = c
				as.attach(c)
			})
			sim.RunFor(time.Second)
			ach.Write([]byte("ping"))
			sim.RunFor(time.Second)
			bs.ch.Write([]byte("pong"))
			sim.RunFor(time.Second)
			if bs.buf.String() != "ping" || as.buf.String() != "pong" {
				t.Fatalf("warm-up: b got %q, a got %q", bs.buf.String(), as.buf.String())
			}
			sim.RunFor(61 * time.Minute)
			w, r := ach, bs
			if firstWriter == "acceptor" {
				w, r = bs.ch, as
			}
			established := a.engine.tunnels[b.id].established
			w.Write([]byte("late"))
			sim.RunFor(30 * time.Second)
			if got := r.buf.String(); len(got) < 8 || got[4:] != "late" {
				ta := a.engine.tunnels[b.id]
				tb := b.engine.tunnels[a.id]
				canA, canB := ta.canSend(), tb.canSend()
				sim.RunFor(5 * time.Minute)
				t.Fatalf("after an idle StepInterval the %s's write did not arrive within 30 s (reader has %q; canSend a=%v b=%v); 5 min later: reader has %q, writer's channel err %v",
					firstWriter, got, canA, canB, r.buf.String(), w.Err())
			}
			if a.engine.tunnels[b.id].established != established {
				t.Fatal("the tunnel ran a new handshake instead of a ratchet step")
			}
		})
	}
}

// TestLostStepRecovers sends datagrams on an unreliable channel while the
// link loses the next 100 large messages. The sender's step request is
// lost with them, so it runs its chain to StepMessages and can send
// nothing more. It must notice the wait and recover with a new handshake,
// so that datagrams sent after the link recovered arrive.
func TestLostStepRecovers(t *testing.T) {
	sim := loop.NewSim(9)
	net := newSimNet(t, sim, 2, testConfig())
	link := net.connect(net.order[0], net.order[1], 5*time.Millisecond)
	a, b := net.order[0], net.order[1]
	dropped := 0
	link.drop = func(msg []byte) bool {
		if len(msg) > 1000 && dropped < 100 {
			dropped++
			return true
		}
		return false
	}

	got := 0
	b.engine.ListenPort("dgram", nil, func(c *Channel) {
		c.OnReadable = func() {
			p := make([]byte, 4096)
			for {
				n, _ := c.Read(p)
				if n == 0 {
					return
				}
				got++
			}
		}
	})
	var ch *Channel
	a.engine.Open(b.id, "dgram", OpenOptions{Reliability: Unreliable}, func(c *Channel, err error) {
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		ch = c
	})
	sim.RunFor(time.Second)

	for range 300 {
		if _, err := ch.Write(make([]byte, 2000)); err != nil {
			t.Fatal(err)
		}
		sim.RunFor(10 * time.Millisecond)
	}
	sim.RunFor(time.Minute)

	if a.engine.Stats().StepWaits == 0 {
		t.Error("the wait for a ratchet step was not counted")
	}
	if got == 0 {
		ta := a.engine.tunnels[b.id]
		t.Fatalf("no datagram arrived after the link stopped losing (%d of 300 lost); sender canSend=%v, its ratchet sent %d on the current chain, StepWaits %d",
			dropped, ta.canSend(), ta.rat.SendChainLength(), a.engine.Stats().StepWaits)
	}
}
