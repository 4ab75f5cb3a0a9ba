package core

import (
	"fmt"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport/memnet"
)

// memPeer is a CORE attached to a memnet network, as the simulator runs it.
type memPeer struct {
	core *Core
	rec  *recorder
	id   int
}

func newMemPeer(t *testing.T, sim *loop.Sim, network *memnet.Network, index int, cfg Config) *memPeer {
	t.Helper()
	env := sim.NewEnv(uint64(index), testLogger())
	c, err := New(cfg, env, testKey(t, index), NewMemPeerStore())
	if err != nil {
		t.Fatal(err)
	}
	c.AddTransport(network.Attach(index, env, c))
	rec := &recorder{}
	if err := c.Register(ServiceTest, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Listen([]string{fmt.Sprintf("mem://%d", index)}); err != nil {
		t.Fatal(err)
	}
	return &memPeer{core: c, rec: rec, id: index}
}

func bootstrapEntry(t *testing.T, index int) string {
	return fmt.Sprintf("%s@mem://%d", testKey(t, index).PeerID(), index)
}

// TestLinkOverLossyMemnet runs a link over memnet with latency and 10% loss:
// the bootstrap redial recovers lost handshakes, lost frames cost only
// their own messages, and keepalives hold the idle link.
func TestLinkOverLossyMemnet(t *testing.T) {
	sim := loop.NewSim(11)
	network := memnet.New(sim, memnet.Config{Link: memnet.LinkConfig{Latency: 20 * time.Millisecond, Loss: 0.1}, Seed: 11})
	a := newMemPeer(t, sim, network, 1, Config{Bootstrap: []string{bootstrapEntry(t, 2)}})
	b := newMemPeer(t, sim, network, 2, Config{})
	a.core.Start()
	sim.RunFor(2 * time.Minute)
	if got := len(a.core.Neighbours()); got != 1 {
		t.Fatalf("a has %d links after two minutes, expected 1", got)
	}
	peerB := b.core.Self()
	for i := range 500 {
		if err := a.core.Send(peerB, ServiceTest, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		sim.RunFor(10 * time.Millisecond)
	}
	sim.RunFor(time.Second)
	if got := len(b.rec.msgs); got < 400 || got >= 500 {
		t.Errorf("b received %d of 500 messages over a 10%% lossy link, expected about 450", got)
	}
	sim.RunFor(30 * time.Minute)
	if got := b.core.Stats().DecryptFailures; got != 0 {
		t.Errorf("loss caused %d decrypt failures", got)
	}
	if len(a.rec.downs) != 0 || len(b.rec.downs) != 0 {
		t.Errorf("the lossy idle link went down %d and %d times, expected 0", len(a.rec.downs), len(b.rec.downs))
	}
}

// TestPartitionDropsAndHealRestoresLink partitions two peers: both must
// drop the link within DeadTimeout, and the bootstrap peer is redialled
// after the partition heals.
func TestPartitionDropsAndHealRestoresLink(t *testing.T) {
	sim := loop.NewSim(12)
	network := memnet.New(sim, memnet.Config{Link: memnet.LinkConfig{Latency: 10 * time.Millisecond}})
	cfg := Config{BackoffMax: 30 * time.Second}
	cfgA := cfg
	cfgA.Bootstrap = []string{bootstrapEntry(t, 2)}
	a, b := newMemPeer(t, sim, network, 1, cfgA), newMemPeer(t, sim, network, 2, cfg)
	a.core.Start()
	sim.RunFor(time.Second)
	if len(a.core.Neighbours()) != 1 {
		t.Fatal("link did not come up")
	}
	network.Partition([]int{1}, []int{2})
	start := sim.Elapsed()
	for len(a.rec.downs) == 0 || len(b.rec.downs) == 0 {
		if !sim.Step() {
			t.Fatal("simulation ran out of events")
		}
	}
	if took := sim.Elapsed() - start; took > 45*time.Second {
		t.Errorf("partitioned link dropped after %v, expected within DeadTimeout 45s", took)
	}
	network.Heal()
	sim.RunFor(time.Minute)
	if len(a.core.Neighbours()) != 1 || len(b.core.Neighbours()) != 1 {
		t.Errorf("link not restored a minute after the partition healed")
	}
}
