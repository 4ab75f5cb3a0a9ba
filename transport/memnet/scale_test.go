package memnet

import (
	"runtime"
	"testing"
	"time"
)

// TestTenThousandPeersFitInMemory builds the largest topology the
// simulations use, 10,000 peers with 8 links each, passes one frame over
// every link, and checks the heap the network and its transports keep.
func TestTenThousandPeersFitInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 10,000 peers")
	}
	const peers, dialsPerPeer = 10_000, 4
	// maxHeapPerPeer is a loose bound: a peer's transport, its 8 conn ends
	// and the recorder that keeps the delivered frames.
	const maxHeapPerPeer = 8 << 10

	before := heapInUse()
	tn := newTestNet(t, peers, Config{Link: LinkConfig{Latency: 20 * time.Millisecond, BytesPerSecond: 1 << 20}})
	for i := range peers {
		for k := 1; k <= dialsPerPeer; k++ {
			tn.dial(i, (i+k)%peers)
		}
	}
	tn.sim.RunFor(time.Second)
	for _, rec := range tn.recs {
		for _, c := range rec.accepted {
			mustSend(t, c, "hello")
		}
	}
	tn.sim.RunFor(time.Second)
	tn.log = nil // the transcript is test scaffolding, not network state
	after := heapInUse()

	perPeer := (after - before) / peers
	t.Logf("heap per peer: %d bytes", perPeer)
	if perPeer > maxHeapPerPeer {
		t.Errorf("heap per peer %d bytes, want at most %d", perPeer, maxHeapPerPeer)
	}
	if got, want := tn.net.Stats().Delivered.Frames, uint64(peers*dialsPerPeer); got != want {
		t.Errorf("delivered %d frames, want %d", got, want)
	}
	runtime.KeepAlive(tn)
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
