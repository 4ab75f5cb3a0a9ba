package cadet

import (
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// FuzzEngineReceive feeds arbitrary messages from a neighbour to an engine
// that relays and ends connections: nothing may panic.
func FuzzEngineReceive(f *testing.F) {
	cid := wire.ConnID{1}
	f.Add((&wire.Create{CID: cid, Path: []identity.PeerID{{1}, {2}}}).Append(nil))
	f.Add((&wire.TunnelData{CID: cid, Payload: make([]byte, 80)}).Append(nil))
	f.Add((&wire.KXInit{CID: cid, Payload: make([]byte, 96)}).Append(nil))
	f.Add((&wire.Broken{CID: cid}).Append(nil))
	f.Fuzz(func(t *testing.T, msg []byte) {
		sim := loop.NewSim(1)
		net := newSimNet(t, sim, 3, testConfig())
		net.chain(time.Millisecond)
		p := net.order
		if len(msg) > 1+wire.ConnIDSize+1 && msg[0] == byte(wire.TypeCreate) {
			// Make CREATE paths name the real peers often enough to matter.
			path := []identity.PeerID{p[0].id, p[1].id, p[2].id}
			msg = (&wire.Create{CID: wire.ConnID{msg[1]}, Path: path[:2+int(msg[2]%2)]}).Append(nil)
		}
		p[1].engine.Receive(p[0].id, msg)
		sim.RunFor(10 * time.Second)
	})
}

// FuzzTunnelDispatch feeds arbitrary decrypted tunnel messages into an
// established tunnel with an open channel: nothing may panic.
func FuzzTunnelDispatch(f *testing.F) {
	f.Add((&wire.ChannelData{CTN: 1, Seq: 1, Payload: []byte("x")}).Append(nil))
	f.Add((&wire.ChannelAck{CTN: 1, CumAck: 5, SACK: ^uint64(0), WindowEnd: 1 << 31}).Append(nil))
	f.Add((&wire.ChannelOpen{CTN: 1 << 31}).Append(nil))
	f.Add((&wire.ChannelOpenAck{CTN: 1, WindowEnd: 3}).Append(nil))
	f.Add((&wire.ChannelDestroy{CTN: 1}).Append(nil))
	f.Fuzz(func(t *testing.T, plain []byte) {
		sim := loop.NewSim(1)
		net := newSimNet(t, sim, 2, testConfig())
		net.chain(time.Millisecond)
		a, b := net.order[0], net.order[1]
		listenSink(t, b, "p", nil)
		a.engine.Open(b.id, "p", OpenOptions{}, func(c *Channel, err error) {
			if err == nil {
				c.Write([]byte("some data"))
			}
		})
		sim.RunFor(time.Second)
		for _, tun := range []*tunnel{a.engine.tunnels[b.id], b.engine.tunnels[a.id]} {
			if tun != nil {
				tun.dispatch(plain)
			}
		}
		sim.RunFor(10 * time.Second)
	})
}
