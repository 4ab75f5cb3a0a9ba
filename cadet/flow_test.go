package cadet

import (
	"bytes"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// TestSlowReader pauses the reader, then reads slowly. The sender must stop
// at the receiver's window: no retransmission, no message beyond the
// window's capacity buffered, and every byte delivered in order.
func TestSlowReader(t *testing.T) {
	sim := loop.NewSim(9)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	p := net.order
	s := listenSink(t, p[2], "bulk", nil)
	s.paused = true
	data := testData(4 << 20)
	src := &source{data: data, close: true}
	p[0].engine.Open(p[2].id, "bulk", OpenOptions{}, func(c *Channel, err error) {
		if err == nil {
			src.attach(c)
		}
	})
	sim.RunFor(30 * time.Second)
	rch := p[2].engine.tunnels[p[0].id].channels
	var recv *channel
	for _, ch := range rch {
		recv = ch
	}
	if got := len(recv.rcv.slots); got != int(testConfig().withDefaults().ReceiveWindow) {
		t.Fatalf("paused reader buffers %d messages, want the full window of 64", got)
	}
	for s.buf.Len() < len(data) && sim.Elapsed() < 10*time.Minute {
		readSome(s, 16<<10)
		sim.RunFor(50 * time.Millisecond)
	}
	sim.RunFor(5 * time.Second)
	if n := p[0].engine.Stats().Retransmits; n != 0 {
		t.Fatalf("%d retransmissions with a slow reader on a lossless path", n)
	}
	if recv.rcv.maxSlots > 64 {
		t.Fatalf("receiver buffered %d messages, window is 64", recv.rcv.maxSlots)
	}
	if !bytes.Equal(s.buf.Bytes(), data) {
		t.Fatalf("slow reader got %d bytes, want %d", s.buf.Len(), len(data))
	}
}

// readSome reads up to n bytes from a paused sink.
func readSome(s *sink, n int) {
	p := make([]byte, n)
	got, _ := s.ch.Read(p)
	s.buf.Write(p[:got])
}

// TestLostWindowUpdate drops every window update while the reader is
// paused; the sender's persist probe must reopen the channel.
func TestLostWindowUpdate(t *testing.T) {
	sim := loop.NewSim(10)
	net := newSimNet(t, sim, 2, testConfig())
	link := net.connect(net.order[0], net.order[1], 10*time.Millisecond)
	p := net.order
	s := listenSink(t, p[1], "bulk", nil)
	s.paused = true
	data := testData(3 << 20)
	p[0].engine.Open(p[1].id, "bulk", OpenOptions{}, func(c *Channel, err error) {
		if err == nil {
			(&source{data: data, close: true}).attach(c)
		}
	})
	sim.RunFor(10 * time.Second)
	dropping := true
	link.drop = func(msg []byte) bool { return dropping && len(msg) < 200 && msg[0] == 0x08 }
	s.paused = false
	s.drain()
	sim.RunFor(time.Second)
	dropping = false
	sim.RunFor(time.Minute)
	checkDelivered(t, s, data)
}

// TestNoHeadOfLineBlocking runs several channels on one tunnel; one has a
// reader that never reads, the others must still finish.
func TestNoHeadOfLineBlocking(t *testing.T) {
	sim := loop.NewSim(11)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(10 * time.Millisecond)
	p := net.order
	var sinks []*sink
	blockedFirst := true
	_, err := p[2].engine.ListenPort("many", nil, func(ch *Channel) {
		s := &sink{paused: blockedFirst}
		blockedFirst = false
		s.attach(ch)
		sinks = append(sinks, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	data := testData(2 << 20)
	for range 5 {
		p[0].engine.Open(p[2].id, "many", OpenOptions{}, func(c *Channel, err error) {
			if err == nil {
				(&source{data: data, close: true}).attach(c)
			}
		})
		sim.RunFor(200 * time.Millisecond)
	}
	sim.RunFor(time.Minute)
	if len(sinks) != 5 {
		t.Fatalf("%d channels accepted, want 5", len(sinks))
	}
	if sinks[0].buf.Len() != 0 {
		t.Fatal("the blocked reader read data")
	}
	for i, s := range sinks[1:] {
		if !bytes.Equal(s.buf.Bytes(), data) || !s.eof {
			t.Fatalf("channel %d got %d bytes (eof %v) beside a blocked channel, want %d", i+1, s.buf.Len(), s.eof, len(data))
		}
	}
}

func TestReliableUnordered(t *testing.T) {
	sim := loop.NewSim(12)
	net := newSimNet(t, sim, 3, testConfig())
	net.chain(5 * time.Millisecond)
	for _, l := range net.links {
		l.loss, l.jitter = 0.1, 20*time.Millisecond
	}
	p := net.order
	var got [][]byte
	p[2].engine.ListenPort("msgs", nil, func(ch *Channel) {
		ch.OnReadable = func() {
			for {
				buf := make([]byte, MaxMessagePayload)
				n, err := ch.Read(buf)
				if n == 0 || err != nil {
					return
				}
				got = append(got, buf[:n])
			}
		}
		ch.OnReadable()
	})
	const count = 200
	p[0].engine.Open(p[2].id, "msgs", OpenOptions{Reliability: ReliableUnordered}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		for i := range count {
			if n, _ := c.Write([]byte{byte(i), byte(i >> 8), 7}); n != 3 {
				t.Errorf("write %d accepted %d bytes", i, n)
			}
		}
	})
	sim.RunFor(2 * time.Minute)
	seen := map[int]bool{}
	for _, m := range got {
		if len(m) != 3 {
			t.Fatalf("message of %d bytes, want 3: boundaries lost", len(m))
		}
		seen[int(m[0])|int(m[1])<<8] = true
	}
	if len(got) != count || len(seen) != count {
		t.Fatalf("%d messages, %d distinct, want %d once each", len(got), len(seen), count)
	}
}

func TestUnreliableDatagrams(t *testing.T) {
	sim := loop.NewSim(13)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(5 * time.Millisecond)
	p := net.order
	received := 0
	p[1].engine.ListenPort("dgram", nil, func(ch *Channel) {
		ch.OnReadable = func() {
			buf := make([]byte, 100)
			for n, _ := ch.Read(buf); n > 0; n, _ = ch.Read(buf) {
				received++
			}
		}
		ch.OnReadable()
	})
	p[0].engine.Open(p[1].id, "dgram", OpenOptions{Reliability: Unreliable, FirstPayload: []byte("first")}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("open: %v", err)
			return
		}
		for range 50 {
			c.Write([]byte("datagram"))
		}
	})
	sim.RunFor(5 * time.Second)
	if received != 51 {
		t.Fatalf("received %d datagrams on a lossless link, want 51", received)
	}
	if n := p[0].engine.Stats().Retransmits; n != 0 {
		t.Fatalf("unreliable channel retransmitted %d times", n)
	}
}
