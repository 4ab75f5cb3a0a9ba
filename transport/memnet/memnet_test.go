package memnet

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hush-overlay/hush/transport"
)

const ms = time.Millisecond

func TestDialTakesOneRoundTrip(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms}})
	res := tn.dial(0, 1)
	tn.sim.RunFor(time.Second)

	if !res.done || res.err != nil || res.at != 20*ms {
		t.Fatalf("dial result %+v, want success at 20ms", res)
	}
	if len(tn.recs[1].accepted) != 1 {
		t.Fatalf("listener accepted %d conns, want 1", len(tn.recs[1].accepted))
	}
	accepted := tn.recs[1].accepted[0]
	if !accepted.Inbound() || res.conn.Inbound() {
		t.Errorf("Inbound: accepted %v, dialled %v", accepted.Inbound(), res.conn.Inbound())
	}
	if res.conn.LocalAddr() != "mem://0" || res.conn.RemoteAddr() != "mem://1" {
		t.Errorf("dialled addresses %s -> %s", res.conn.LocalAddr(), res.conn.RemoteAddr())
	}
	if tn.log[0] != "10ms peer 1: accepted from mem://0" {
		t.Errorf("first event %q", tn.log[0])
	}
}

func TestLatencyOrdering(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms}})
	tn.net.SetLink(1, 0, LinkConfig{Latency: 30 * ms})
	dialled, accepted := tn.connect(t, 0, 1)
	start := tn.sim.Elapsed()

	mustSend(t, dialled, "a1")
	mustSend(t, accepted, "b1")
	tn.net.SetLink(0, 1, LinkConfig{Latency: time.Millisecond})
	mustSend(t, dialled, "a2")
	tn.sim.RunFor(time.Second)

	want := []string{
		fmt.Sprintf("%v peer 1: received \"a1\" from mem://0", start+10*ms),
		// a2 would arrive after 1ms but must not overtake a1.
		fmt.Sprintf("%v peer 1: received \"a2\" from mem://0", start+10*ms),
		fmt.Sprintf("%v peer 0: received \"b1\" from mem://1", start+30*ms),
	}
	got := tn.log[len(tn.log)-3:]
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%q\nwant:\n%q", got, want)
	}
}

func TestBandwidthSerialisesFrames(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms, BytesPerSecond: 1000}})
	dialled, _ := tn.connect(t, 0, 1)
	start := tn.sim.Elapsed()
	frame := string(make([]byte, 100)) // 100 ms on the wire at 1000 B/s
	for range 3 {
		mustSend(t, dialled, frame)
	}

	var arrivals []time.Duration
	for tn.sim.Step() {
		if n := len(tn.recs[1].received); n > len(arrivals) {
			arrivals = append(arrivals, tn.sim.Elapsed()-start)
		}
	}
	want := []time.Duration{110 * ms, 210 * ms, 310 * ms}
	if !slices.Equal(arrivals, want) {
		t.Errorf("arrivals %v, want %v", arrivals, want)
	}
}

func TestLossRateMatchesConfig(t *testing.T) {
	const frames = 20_000
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: ms, Loss: 0.25}, Seed: 7})
	dialled, _ := tn.connect(t, 0, 1)
	for i := range frames {
		mustSend(t, dialled, fmt.Sprint(i))
		tn.sim.RunFor(ms)
	}
	tn.sim.RunFor(time.Second)

	s := tn.net.Stats()
	delivered := len(tn.recs[1].received)
	if rate := float64(s.Lost.Frames) / frames; rate < 0.23 || rate > 0.27 {
		t.Errorf("loss rate %.3f, want about 0.25", rate)
	}
	if s.Sent.Frames != frames || s.Delivered.Frames+s.Lost.Frames != frames {
		t.Errorf("stats %+v do not add up to %d frames", s, frames)
	}
	if uint64(delivered) != s.Delivered.Frames {
		t.Errorf("handler got %d frames, stats say %d", delivered, s.Delivered.Frames)
	}
}

func TestPartitionAndHeal(t *testing.T) {
	tn := newTestNet(t, 3, Config{Link: LinkConfig{Latency: 10 * ms}})
	dialled, _ := tn.connect(t, 0, 1)

	tn.net.Partition([]int{0}, []int{1, 2})
	mustSend(t, dialled, "lost")
	res := tn.dial(0, 2)
	start := tn.sim.Elapsed()
	tn.sim.RunFor(time.Minute)
	if !errors.Is(res.err, ErrTimedOut) || res.at-start != DefaultDialTimeout {
		t.Errorf("dial across partition: err %v after %v, want ErrTimedOut after %v", res.err, res.at-start, DefaultDialTimeout)
	}
	if got := tn.net.Stats().Partitioned.Frames; got != 1 {
		t.Errorf("partitioned frames %d, want 1", got)
	}
	if len(tn.recs[1].received) != 0 {
		t.Errorf("frame crossed the partition")
	}

	tn.net.Heal()
	mustSend(t, dialled, "through")
	tn.connect(t, 0, 2)
	tn.sim.RunFor(time.Second)
	if len(tn.recs[1].received) != 1 || string(tn.recs[1].received[0]) != "through" {
		t.Errorf("after heal peer 1 received %q", tn.recs[1].received)
	}
}

func TestUnlistedPeersShareGroup(t *testing.T) {
	tn := newTestNet(t, 3, Config{Link: LinkConfig{Latency: 10 * ms}})
	tn.net.Partition([]int{0})
	tn.connect(t, 1, 2)
	res := tn.dial(1, 0)
	tn.sim.RunFor(time.Minute)
	if !errors.Is(res.err, ErrTimedOut) {
		t.Errorf("dial into listed group: %v, want ErrTimedOut", res.err)
	}
}

func TestDialFilterRejects(t *testing.T) {
	tn := newTestNet(t, 3, Config{Link: LinkConfig{Latency: 10 * ms}})
	tn.net.SetDialFilter(func(from, to int) bool { return from == 0 && to == 1 })
	tn.connect(t, 0, 1)

	start := tn.sim.Elapsed()
	res := tn.dial(0, 2)
	tn.sim.RunFor(time.Second)
	if !errors.Is(res.err, ErrFiltered) || res.at-start != 10*ms {
		t.Errorf("filtered dial: err %v after %v, want ErrFiltered after 10ms", res.err, res.at-start)
	}
	if len(tn.recs[2].accepted) != 0 {
		t.Errorf("peer 2 accepted a filtered dial")
	}
}

func TestDialWithoutListenerRefused(t *testing.T) {
	tn := newTestNet(t, 1, Config{Link: LinkConfig{Latency: 10 * ms}})
	silent := tn.net.Attach(1, tn.sim.NewEnv(1, nil), &recorder{sim: tn.sim, index: 1, log: &tn.log})
	for _, to := range []int{1, 5} {
		start := tn.sim.Elapsed()
		res := tn.dial(0, to)
		tn.sim.RunFor(time.Second)
		if !errors.Is(res.err, ErrRefused) || res.at-start != 20*ms {
			t.Errorf("dial to peer %d: err %v after %v, want ErrRefused after 20ms", to, res.err, res.at-start)
		}
	}
	if _, err := silent.Listen("mem://2"); err == nil {
		t.Error("Listen on another peer's address succeeded")
	}
	if s := tn.net.Stats(); s.Dials != 2 || s.DialsFailed != 2 {
		t.Errorf("dial counters %d/%d, want 2/2", s.Dials, s.DialsFailed)
	}
}

func TestDialInvalidAddress(t *testing.T) {
	tn := newTestNet(t, 1, Config{})
	for _, addr := range []string{"tcp://127.0.0.1:1", "mem://x", "mem://-1", "mem:/3"} {
		var got error
		tn.peers[0].Dial(addr, func(_ transport.Conn, err error) { got = err })
		tn.sim.RunFor(time.Second)
		if got == nil {
			t.Errorf("dial %q succeeded", addr)
		}
	}
}

func TestClosePropagatesAfterFrames(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms, BytesPerSecond: 10_000}})
	dialled, accepted := tn.connect(t, 0, 1)
	start := tn.sim.Elapsed()
	mustSend(t, dialled, string(make([]byte, 1000))) // 100 ms on the wire
	dialled.Close()
	if err := dialled.Send([]byte("late")); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
	mustSend(t, accepted, "towards a closed end")
	tn.sim.RunFor(time.Second)

	want := []string{
		fmt.Sprintf("%v peer 0: closed mem://1: <nil>", start),
		fmt.Sprintf("%v peer 1: received %q from mem://0", start+110*ms, make([]byte, 1000)),
		fmt.Sprintf("%v peer 1: closed mem://0: memnet: mem://0 closed the connection: transport: connection closed", start+110*ms),
	}
	if got := tn.log[len(tn.log)-3:]; !slices.Equal(got, want) {
		t.Errorf("events:\n%q\nwant:\n%q", got, want)
	}
	if got := tn.net.Stats().Unreceived.Frames; got != 1 {
		t.Errorf("unreceived frames %d, want 1", got)
	}
	if len(tn.recs[0].closed) != 1 || len(tn.recs[1].closed) != 1 {
		t.Errorf("Closed events: %d and %d, want one each", len(tn.recs[0].closed), len(tn.recs[1].closed))
	}
}

func TestBothEndsCloseOnce(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms}})
	dialled, accepted := tn.connect(t, 0, 1)
	dialled.Close()
	accepted.Close()
	dialled.Close()
	tn.sim.RunFor(time.Second)
	for i, rec := range tn.recs {
		if len(rec.closed) != 1 || rec.closed[0] != nil {
			t.Errorf("peer %d Closed events %v, want one with nil", i, rec.closed)
		}
	}
}

func TestTransportCloseClosesAll(t *testing.T) {
	tn := newTestNet(t, 4, Config{Link: LinkConfig{Latency: 10 * ms}})
	tn.connect(t, 0, 1)
	tn.connect(t, 2, 0)
	res := tn.dial(0, 3)
	tn.sim.RunFor(5 * ms)
	tn.peers[0].Close()
	tn.sim.RunFor(time.Second)

	if len(tn.recs[0].closed) != 2 {
		t.Errorf("peer 0 got %d Closed events, want 2", len(tn.recs[0].closed))
	}
	for _, i := range []int{1, 2, 3} {
		if len(tn.recs[i].closed) != 1 || !errors.Is(tn.recs[i].closed[0], transport.ErrClosed) {
			t.Errorf("peer %d Closed events %v, want one ErrClosed", i, tn.recs[i].closed)
		}
	}
	if !errors.Is(res.err, transport.ErrClosed) {
		t.Errorf("pending dial: %v, want ErrClosed", res.err)
	}
	if _, err := tn.peers[0].Listen("mem://0"); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Listen after Close: %v, want ErrClosed", err)
	}
	late := tn.dial(1, 0)
	tn.sim.RunFor(time.Second)
	if !errors.Is(late.err, ErrRefused) {
		t.Errorf("dial to closed transport: %v, want ErrRefused", late.err)
	}
}

func TestDiscardDropsArrivals(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms}})
	dialled, accepted := tn.connect(t, 0, 1)
	mustSend(t, dialled, "in flight")
	accepted.Discard()
	mustSend(t, dialled, "later")
	if err := accepted.Send([]byte("x")); !errors.Is(err, transport.ErrClosed) {
		t.Errorf("Send on a discarding conn: %v, want ErrClosed", err)
	}
	tn.sim.RunFor(time.Second)
	if len(tn.recs[1].received) != 0 {
		t.Errorf("discarding conn received %q", tn.recs[1].received)
	}
	if got := tn.net.Stats().Unreceived.Frames; got != 2 {
		t.Errorf("unreceived frames %d, want 2", got)
	}

	dialled.Close()
	tn.sim.RunFor(time.Second)
	if len(tn.recs[1].closed) != 1 {
		t.Errorf("discarding conn got %d Closed events, want 1", len(tn.recs[1].closed))
	}
}

func TestSendQueueBound(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms, BytesPerSecond: 1000}, SendQueueBytes: 250})
	dialled, _ := tn.connect(t, 0, 1)
	frame := make([]byte, 100)
	mustSend(t, dialled, string(frame))
	mustSend(t, dialled, string(frame))
	if err := dialled.Send(frame); !errors.Is(err, transport.ErrQueueFull) {
		t.Fatalf("third frame: %v, want ErrQueueFull", err)
	}
	if err := dialled.Send(frame[:50]); err != nil {
		t.Errorf("frame that fits: %v", err)
	}
	tn.sim.RunFor(time.Second)
	if err := dialled.Send(frame); err != nil {
		t.Errorf("after delivery: %v", err)
	}
	if s := tn.net.Stats(); s.QueueFull.Frames != 1 || s.Sent.Frames != 4 {
		t.Errorf("stats %+v", s)
	}
	if err := dialled.Send(nil); !errors.Is(err, transport.ErrEmptyFrame) {
		t.Errorf("empty frame: %v", err)
	}
	if err := dialled.Send(make([]byte, transport.MaxFrameSize+1)); !errors.Is(err, transport.ErrFrameTooLong) {
		t.Errorf("oversize frame: %v", err)
	}
}

func TestDropHookSeesFrames(t *testing.T) {
	tn := newTestNet(t, 2, Config{Link: LinkConfig{Latency: 10 * ms}})
	dialled, _ := tn.connect(t, 0, 1)
	var seen []string
	tn.net.SetDropHook(func(from, to int, frame []byte) bool {
		seen = append(seen, fmt.Sprintf("%d->%d %s", from, to, frame))
		return string(frame) == "drop me"
	})
	mustSend(t, dialled, "keep")
	mustSend(t, dialled, "drop me")
	tn.sim.RunFor(time.Second)

	if want := []string{"0->1 keep", "0->1 drop me"}; !slices.Equal(seen, want) {
		t.Errorf("hook saw %q, want %q", seen, want)
	}
	if len(tn.recs[1].received) != 1 || tn.net.Stats().Hooked.Frames != 1 {
		t.Errorf("received %q, hooked %d", tn.recs[1].received, tn.net.Stats().Hooked.Frames)
	}
}

// runScenario drives a few peers through dials, lossy traffic and closes,
// and returns the transcript.
func runScenario(t *testing.T, seed uint64) []string {
	tn := newTestNet(t, 6, Config{Link: LinkConfig{Latency: 5 * ms, Loss: 0.2, BytesPerSecond: 50_000}, Seed: seed})
	tn.net.SetLink(2, 3, LinkConfig{Latency: 40 * ms, Loss: 0.5})
	var conns []transport.Conn
	for i := range 6 {
		d, a := tn.connect(t, i, (i+1)%6)
		conns = append(conns, d, a)
	}
	for round := range 50 {
		for i, c := range conns {
			c.Send([]byte(fmt.Sprintf("r%d c%d", round, i)))
		}
		tn.sim.RunFor(3 * ms)
	}
	conns[3].Close()
	tn.peers[5].Close()
	tn.sim.RunFor(time.Second)
	return tn.log
}

func TestDeterministicFromSeed(t *testing.T) {
	first, second := runScenario(t, 42), runScenario(t, 42)
	if !slices.Equal(first, second) {
		t.Fatalf("two runs with seed 42 differ: %d and %d events", len(first), len(second))
	}
	if other := runScenario(t, 43); slices.Equal(first, other) {
		t.Errorf("seeds 42 and 43 gave the same transcript")
	}
}
