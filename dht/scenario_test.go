package dht

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// checkGolden compares a transcript with testdata/name.golden.
func checkGolden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("transcript differs from %s (rerun with -update and review the diff):\n%s", path, got)
	}
}

// newScenario returns a network of n peers that writes a transcript.
func newScenario(t *testing.T, n int) *fakeNet {
	net := newFakeNet(t, 7, n, Config{EstimateRound: time.Hour, MaintenanceInterval: time.Hour})
	net.log = &strings.Builder{}
	return net
}

func (net *fakeNet) logResult(p *fakePeer, r Result) {
	what := string(r.Data)
	if r.Type == block.TypeHello {
		if h, err := hello.Parse(r.Data); err == nil {
			what = "HELLO of " + net.name(h.Peer)
		}
	}
	var path []string
	for _, id := range r.PutPath {
		path = append(path, net.name(id))
	}
	path = append(path, "|")
	for _, id := range r.GetPath {
		path = append(path, net.name(id))
	}
	net.logf("result at %s: %s path=%s truncated=%v", net.name(p.id), what, strings.Join(path, " "), r.Truncated)
}

func TestScenarioPutGetTwoPeers(t *testing.T) {
	net := newScenario(t, 2)
	net.clique()
	key := block.KeyForString("two")
	if err := net.peers[0].dht.Put(key, block.TypeTest, []byte("value"), net.sim.Now().Add(time.Hour), PutOptions{RecordRoute: true}); err != nil {
		t.Fatal(err)
	}
	net.sim.RunFor(time.Second)
	res := net.getOnce(net.peers[1], key, block.TypeTest, GetOptions{Timeout: 3 * time.Second, RecordRoute: true})
	if len(res) != 1 || string(res[0].Data) != "value" {
		t.Errorf("results %+v", res)
	}
	checkGolden(t, "put_get_two_peers", net.log.String())
}

// TestScenarioClosestPeerAsks stores a block under the position of p3, which
// is itself the closest peer, and has p3 look it up: p3 answers from its
// own store.
func TestScenarioClosestPeerAsks(t *testing.T) {
	net := newScenario(t, 5)
	net.clique()
	key := keyspace.KeyAt(keyspace.OfPeer(net.peers[3].id))
	key[63] = 1
	if err := net.peers[0].dht.Put(key, block.TypeTest, []byte("mine"), net.sim.Now().Add(time.Hour), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	net.sim.RunFor(time.Second)
	if net.peers[3].dht.Stats().StoredBlocks == 0 {
		t.Error("closest peer did not store the block")
	}
	net.logf("p3 looks up")
	res := net.getOnce(net.peers[3], key, block.TypeTest, GetOptions{Timeout: 3 * time.Second})
	if len(res) != 1 {
		t.Errorf("%d results, expected 1", len(res))
	}
	checkGolden(t, "closest_peer_asks", net.log.String())
}

// TestScenarioLookupSkipsRequester looks up HELLOs near p0's own position
// from p0; every other peer's HELLO may come back, p0's own must not.
func TestScenarioLookupSkipsRequester(t *testing.T) {
	net := newScenario(t, 4)
	net.clique()
	net.sim.RunFor(time.Second)
	p0 := net.peers[0]
	res := net.getOnce(p0, keyspace.KeyAt(keyspace.OfPeer(p0.id)), block.TypeHello, GetOptions{Timeout: 2 * time.Second, FindApproximate: true})
	for _, r := range res {
		if r.Key == block.HelloKey(p0.id) {
			t.Error("lookup returned the requester's own HELLO")
		}
	}
	if len(res) == 0 {
		t.Error("lookup found no HELLO")
	}
	checkGolden(t, "lookup_skips_requester", net.log.String())
}

// TestScenarioBootstrap joins p4 through p0 alone: its first maintenance
// round looks up HELLOs near its own position and connects to peers found.
func TestScenarioBootstrap(t *testing.T) {
	net := newScenario(t, 5)
	net.allowConnect = true
	for i := 0; i < 4; i++ {
		for j := i + 1; j < 4; j++ {
			net.link(net.peers[i], net.peers[j])
		}
	}
	net.link(net.peers[4], net.peers[0])
	net.sim.RunFor(10 * time.Second)
	if n := len(net.peers[4].links); n < 2 {
		t.Errorf("p4 has %d links after bootstrap, expected more than 1", n)
	}
	checkGolden(t, "bootstrap", net.log.String())
}

// TestScenarioLookupHelloRoute finds p3's HELLO from p0 on a line
// p0-p1-p2-p3 with the route recorded.
func TestScenarioLookupHelloRoute(t *testing.T) {
	net := newScenario(t, 4)
	for i := 0; i < 3; i++ {
		net.link(net.peers[i], net.peers[i+1])
	}
	net.sim.RunFor(time.Second)
	var got *hello.Hello
	var res Result
	done := false
	net.peers[0].dht.LookupHello(net.peers[3].id, GetOptions{Timeout: 5 * time.Second, RecordRoute: true}, func(h *hello.Hello, r Result) {
		got, res, done = h, r, true
	})
	for !done && net.sim.Step() {
	}
	if got == nil || got.Peer != net.peers[3].id {
		t.Fatalf("HELLO not found: %+v", got)
	}
	net.logResult(net.peers[0], res)
	checkGolden(t, "lookup_hello_route", net.log.String())
}

// TestScenarioLateLinkPublishesHello links p3 to the line p0-p1-p2 only
// after its first maintenance round, which found p3 without links. p3's
// HELLO must still be stored in the DHT within seconds of its first link,
// not a MaintenanceInterval later.
func TestScenarioLateLinkPublishesHello(t *testing.T) {
	net := newScenario(t, 4)
	for i := 0; i < 2; i++ {
		net.link(net.peers[i], net.peers[i+1])
	}
	net.sim.RunFor(2 * maintenanceStartDelay)
	net.link(net.peers[2], net.peers[3])
	net.sim.RunFor(2 * maintenanceStartDelay)

	stored := 0
	for _, p := range net.peers[:3] {
		err := p.dht.store.Get(block.HelloKey(net.peers[3].id), block.TypeHello, net.sim.Now(), func(datastore.Record) bool {
			stored++
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if stored == 0 {
		t.Fatalf("p3's HELLO is stored nowhere %v after its first link", 2*maintenanceStartDelay)
	}
}

// TestCacheSkipsHello passes a HELLO and a test block through
// cacheResult: only the test block is kept, because a cached HELLO would
// serve later lookups without the route to its peer.
func TestCacheSkipsHello(t *testing.T) {
	net := newScenario(t, 2)
	d, h := net.peers[0].dht, net.peers[1].hello
	now := net.sim.Now()
	d.cacheResult(&wire.Result{BlockType: uint32(block.TypeHello), BlockKey: block.HelloKey(h.Peer), Block: h.Marshal(), Expires: h.Expires}, block.Info{})
	testKey := block.KeyForString("cached")
	d.cacheResult(&wire.Result{BlockType: uint32(block.TypeTest), BlockKey: testKey, Block: []byte("value"), Expires: now.Add(time.Hour)}, block.Info{})

	count := func(key Key, typ block.Type) int {
		n := 0
		if err := d.store.Get(key, typ, now, func(datastore.Record) bool { n++; return true }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(block.HelloKey(h.Peer), block.TypeHello); n != 0 {
		t.Errorf("%d cached HELLOs, want 0", n)
	}
	if n := count(testKey, block.TypeTest); n != 1 {
		t.Errorf("%d cached test blocks, want 1", n)
	}
}
