package cadet

import (
	"bytes"
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/loop"
)

// TestRTOEstimator checks the RFC 6298 section 2 computations.
func TestRTOEstimator(t *testing.T) {
	var r rttEstimator
	if got := r.rto(); got != initialRTO {
		t.Fatalf("RTO before any sample %v, want %v", got, initialRTO)
	}
	r.sample(100 * time.Millisecond)
	if r.srtt != 100*time.Millisecond || r.rttvar != 50*time.Millisecond {
		t.Fatalf("after first sample SRTT %v RTTVAR %v, want 100ms and 50ms", r.srtt, r.rttvar)
	}
	if got := r.rto(); got != 300*time.Millisecond {
		t.Fatalf("RTO %v, want SRTT + 4 RTTVAR = 300ms", got)
	}
	r.sample(200 * time.Millisecond)
	// RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5ms, SRTT = 7/8*100 + 1/8*200 = 112.5ms.
	if r.srtt != 112500*time.Microsecond || r.rttvar != 62500*time.Microsecond {
		t.Fatalf("after second sample SRTT %v RTTVAR %v, want 112.5ms and 62.5ms", r.srtt, r.rttvar)
	}
	r.expired()
	r.expired()
	if got, want := r.rto(), 4*(112500+4*62500)*time.Microsecond; got != want {
		t.Fatalf("RTO after two expiries %v, want %v", got, want)
	}
	for range 20 {
		r.expired()
	}
	if got := r.rto(); got != maxRTO {
		t.Fatalf("RTO after many expiries %v, want the cap %v", got, maxRTO)
	}
	r.sample(time.Microsecond)
	r.srtt, r.rttvar = time.Microsecond, 0
	if got := r.rto(); got != minRTO {
		t.Fatalf("RTO for a tiny RTT %v, want the floor %v", got, minRTO)
	}
}

func TestSeqLessWraps(t *testing.T) {
	cases := []struct {
		a, b uint32
		want bool
	}{{1, 2, true}, {2, 1, false}, {5, 5, false}, {0xfffffff0, 3, true}, {3, 0xfffffff0, false}}
	for _, c := range cases {
		if got := seqLess(c.a, c.b); got != c.want {
			t.Errorf("seqLess(%#x, %#x) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// windowPair opens a channel between two directly linked peers and
// returns both ends' protocol state.
func windowPair(t *testing.T) (*loop.Sim, *fakeNet, *channel, *channel) {
	sim := loop.NewSim(31)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(5 * time.Millisecond)
	a, b := net.order[0], net.order[1]
	var recv *channel
	b.engine.ListenPort("w", nil, func(ch *Channel) { recv = ch.ch })
	var send *channel
	a.engine.Open(b.id, "w", OpenOptions{}, func(c *Channel, err error) { send = c.ch })
	sim.RunFor(time.Second)
	if send == nil || recv == nil {
		t.Fatal("channel did not open")
	}
	return sim, net, send, recv
}

// TestWindowStopsSender checks that the sender never sends beyond the
// advertised window, and that reading reopens it with a window update.
func TestWindowStopsSender(t *testing.T) {
	sim, _, send, recv := windowPair(t)
	(&source{data: bytes.Repeat([]byte{1}, 100*streamSegment)}).attach(send.app)
	sim.RunFor(5 * time.Second)
	if send.snd.next != recv.rcv.windowEnd() {
		t.Fatalf("sender reached seq %d, window end %d: it must fill the window exactly", send.snd.next, recv.rcv.windowEnd())
	}
	if len(recv.rcv.slots) != 64 {
		t.Fatalf("receiver buffers %d messages, want 64", len(recv.rcv.slots))
	}
	before := recv.rcv.windowEnd()
	recv.app.Read(make([]byte, 20*streamSegment))
	sim.RunFor(time.Second)
	if recv.rcv.advertised != before+20 {
		t.Fatalf("advertised window end %d after reading 20 messages, want %d", recv.rcv.advertised, before+20)
	}
	if send.snd.next != before+20 {
		t.Fatalf("sender at seq %d after the window update, want %d", send.snd.next, before+20)
	}
}

// TestSACKBits checks the SACK bitmap of an acknowledgement with holes.
func TestSACKBits(t *testing.T) {
	_, _, _, recv := windowPair(t)
	for _, seq := range []uint32{1, 3, 4, 10} {
		recv.receiveData(&wire.ChannelData{CTN: recv.ctn, Seq: seq, Payload: []byte("x")})
	}
	if recv.rcv.cumAck != 2 {
		t.Fatalf("cumulative ack %d, want 2", recv.rcv.cumAck)
	}
	var sack uint64
	for i := range uint32(64) {
		if recv.rcv.slots[recv.rcv.cumAck+1+i] != nil {
			sack |= 1 << i
		}
	}
	// Bits count from cumAck+1 = 3: seqs 3, 4 and 10 are bits 0, 1 and 7.
	if want := uint64(1<<0 | 1<<1 | 1<<7); sack != want {
		t.Fatalf("SACK %b, want %b", sack, want)
	}
}

// TestSealedHeaders checks that relays cannot read the ratchet header:
// two data messages on the same sending chain would carry the same
// ratchet key in clear, but sealed they differ.
func TestSealedHeaders(t *testing.T) {
	sim, net, send, _ := windowPair(t)
	net.record = true
	send.app.Write(bytes.Repeat([]byte{2}, 2*streamSegment))
	sim.RunFor(time.Second)
	var keys [][]byte
	for _, m := range net.sent[net.order[0].id] {
		if m.msg[0] == byte(wire.TypeTunnelData) && len(m.msg) > 1000 {
			keys = append(keys, m.msg[1+wire.ConnIDSize:][:32])
		}
	}
	if len(keys) < 2 {
		t.Fatalf("%d data messages recorded, want 2", len(keys))
	}
	if bytes.Equal(keys[0], keys[1]) {
		t.Fatal("two messages show the same header bytes: the ratchet key is visible to relays")
	}
}

// TestSACKRetransmit drops one data message once: SACKs of the messages
// after it must trigger a single retransmission, with no timeout.
func TestSACKRetransmit(t *testing.T) {
	sim := loop.NewSim(32)
	net := newSimNet(t, sim, 2, testConfig())
	link := net.connect(net.order[0], net.order[1], 5*time.Millisecond)
	a, b := net.order[0], net.order[1]
	s := listenSink(t, b, "r", nil)
	bigSeen := 0
	link.drop = func(msg []byte) bool {
		if msg[0] == byte(wire.TypeTunnelData) && len(msg) > 1000 {
			bigSeen++
			return bigSeen == 5
		}
		return false
	}
	data := testData(40 * streamSegment)
	a.engine.Open(b.id, "r", OpenOptions{}, func(c *Channel, err error) {
		if err == nil {
			(&source{data: data, close: true}).attach(c)
		}
	})
	sim.RunFor(10 * time.Second)
	checkDelivered(t, s, data)
	st := a.engine.Stats()
	if st.Retransmits != 1 {
		t.Fatalf("%d retransmissions for one lost message, want 1", st.Retransmits)
	}
	if st.Timeouts != 0 {
		t.Fatalf("%d retransmission timeouts, want 0: SACK should have repaired the loss", st.Timeouts)
	}
}

// TestTunnelRatchetSteps sends 4 MiB one way (256 data messages and
// their acknowledgements) and checks that the sender's ratchet took a DH
// step at least every 64 messages, without a new handshake.
func TestTunnelRatchetSteps(t *testing.T) {
	sim := loop.NewSim(33)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(5 * time.Millisecond)
	data := testData(256 * streamSegment)
	s, _, err := transfer(t, sim, net.order[0], net.order[1], data, OpenOptions{}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, data)
	tun := net.order[0].engine.tunnels[net.order[1].id]
	if steps := tun.rat.Steps(); steps < 256/64 {
		t.Fatalf("%d DH steps for 256 data messages, want at least 4", steps)
	}
	if tun.established.After(loop.SimEpoch.Add(time.Second)) {
		t.Fatal("the tunnel ran a new handshake: a step request went unanswered")
	}
}
