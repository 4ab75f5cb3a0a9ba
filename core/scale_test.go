package core

import (
	"runtime"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// TestManyPeersInVirtualTime runs a few hundred cores on one loop.Sim, each
// dialling its next four peers on a ring, and checks that every link comes
// up and stays up while idle. It logs the heap per link and the events per
// idle link-minute, the costs a large simulation multiplies.
func TestManyPeersInVirtualTime(t *testing.T) {
	peers, degree := 100, 4
	if testing.Short() {
		peers = 50
	}
	n := newFakeNet(loop.NewSim(7))
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	all := make([]*testPeer, peers)
	for i := range all {
		all[i] = newTestPeer(t, n, 100+i, Config{})
	}
	for i, p := range all {
		for k := 1; k <= degree; k++ {
			q := all[(i+k)%peers]
			if err := p.core.Dial(q.id, q.addr); err != nil {
				t.Fatal(err)
			}
		}
	}
	n.sim.RunFor(time.Minute)
	for i, p := range all {
		if got := len(p.core.Neighbours()); got != 2*degree {
			t.Fatalf("peer %d has %d links, expected %d", i, got, 2*degree)
		}
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	links := peers * degree
	t.Logf("%d peers, %d links: %d bytes of heap per peer", peers, links, (after.HeapAlloc-before.HeapAlloc)/uint64(peers))

	events := n.sim.EventsRun()
	n.sim.RunFor(10 * time.Minute)
	perLinkMinute := float64(n.sim.EventsRun()-events) / float64(links) / 10
	t.Logf("idle: %.1f events per link per virtual minute", perLinkMinute)
	for i, p := range all {
		if got := len(p.core.Neighbours()); got != 2*degree {
			t.Fatalf("after 10 idle minutes peer %d has %d links, expected %d", i, got, 2*degree)
		}
	}
}
