package cadet

import (
	"fmt"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// BenchmarkGoodput measures one channel's transfer of 8 MiB over 0, 1 and
// 2 relays on the fake network with 5 ms links. ns/op and MB/s are wall
// time of the simulation (the cost of the protocol code); virtual-MB/s is
// the goodput the protocol reaches in simulated time.
func BenchmarkGoodput(b *testing.B) {
	for _, relays := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("relays=%d", relays), func(b *testing.B) {
			data := testData(8 << 20)
			b.SetBytes(int64(len(data)))
			var virtual time.Duration
			for range b.N {
				virtual += goodputRun(b, relays, data)
			}
			b.ReportMetric(float64(len(data)*b.N)/virtual.Seconds()/1e6, "virtual-MB/s")
		})
	}
}

// goodputRun transfers data once and returns the virtual time from the
// open to the last byte.
func goodputRun(b *testing.B, relays int, data []byte) time.Duration {
	sim := loop.NewSim(1)
	net := newSimNet(b, sim, relays+2, testConfig())
	net.chain(5 * time.Millisecond)
	a, z := net.order[0], net.order[relays+1]
	s := listenSink(b, z, "bulk", nil)
	start := sim.Elapsed()
	a.engine.Open(z.id, "bulk", OpenOptions{}, func(c *Channel, err error) {
		if err == nil {
			(&source{data: data, close: true}).attach(c)
		}
	})
	for s.buf.Len() < len(data) && sim.Step() {
	}
	if s.buf.Len() != len(data) {
		b.Fatalf("transferred %d of %d bytes", s.buf.Len(), len(data))
	}
	return sim.Elapsed() - start
}
