package dht

import (
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
)

// getOnce runs a Get from p and the simulation until it finishes, and
// returns the results.
func (net *fakeNet) getOnce(p *fakePeer, key Key, typ BlockType, opts GetOptions) []Result {
	var out []Result
	done := false
	p.dht.Get(key, typ, opts, func(r Result) {
		out = append(out, r)
		if net.log != nil {
			net.logResult(p, r)
		}
	}, func() { done = true })
	for !done && net.sim.Step() {
	}
	return out
}

func TestPutGetTwoPeers(t *testing.T) {
	net := newFakeNet(t, 1, 2, Config{})
	net.clique()
	key := block.KeyForString("greeting")
	if err := net.peers[0].dht.Put(key, block.TypeTest, []byte("hi"), net.sim.Now().Add(time.Hour), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	net.sim.RunFor(time.Second)
	res := net.getOnce(net.peers[1], key, block.TypeTest, GetOptions{Timeout: 5 * time.Second})
	if len(res) != 1 || string(res[0].Data) != "hi" {
		t.Fatalf("results %+v", res)
	}
}
