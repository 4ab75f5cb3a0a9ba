package dht

import (
	"bytes"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

func peerKeys(t *testing.T, n int) []*identity.PrivateKey {
	t.Helper()
	out := make([]*identity.PrivateKey, n)
	for i := range out {
		s := make([]byte, 32)
		s[0], s[1] = byte(i), byte(i>>8)
		k, err := identity.NewKeyFromSeed(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = k
	}
	return out
}

func TestTableClosestMatchesBruteForce(t *testing.T) {
	keys := peerKeys(t, 60)
	tab := newTable(keys[0].PeerID(), 20)
	var members []identity.PeerID
	for _, k := range keys[1:] {
		if tab.linkUp(k.PeerID(), time.Time{}) {
			members = append(members, k.PeerID())
		}
	}
	for i := 0; i < 20; i++ {
		target := keyspace.OfKey(block.KeyForString(string(rune('a' + i))))
		want := slices.Clone(members)
		slices.SortFunc(want, func(a, b identity.PeerID) int {
			da, db := keyspace.Distance(keyspace.OfPeer(a), target), keyspace.Distance(keyspace.OfPeer(b), target)
			return bytes.Compare(da[:], db[:])
		})
		got := tab.closest(target, 5, nil)
		if !slices.Equal(got, want[:5]) {
			t.Fatalf("target %d: closest %v, brute force %v", i, got, want[:5])
		}
	}
}

func TestTableFullBucketKeepsMembers(t *testing.T) {
	keys := peerKeys(t, 200)
	tab := newTable(keys[0].PeerID(), 2)
	var rejected []identity.PeerID
	for _, k := range keys[1:] {
		if !tab.linkUp(k.PeerID(), time.Time{}) {
			rejected = append(rejected, k.PeerID())
		}
	}
	if len(rejected) == 0 {
		t.Fatal("no bucket filled up with bucket size 2")
	}
	before := tab.size()
	if tab.linkUp(rejected[0], time.Time{}) {
		t.Fatal("waiting peer displaced a member")
	}
	if tab.size() != before {
		t.Fatalf("table size changed from %d to %d", before, tab.size())
	}
}

func TestTableFlapKeepsMemberUntilExpiry(t *testing.T) {
	keys := peerKeys(t, 3)
	tab := newTable(keys[0].PeerID(), 20)
	p := keys[1].PeerID()
	tab.linkUp(p, time.Time{})
	if !tab.linkDown(p) {
		t.Fatal("member not reported for a grace timer")
	}
	if tab.size() != 1 || len(tab.up()) != 0 {
		t.Fatalf("after link down: size %d, up %d", tab.size(), len(tab.up()))
	}
	tab.linkUp(p, time.Time{})
	tab.expire(p)
	if tab.size() != 1 {
		t.Fatal("member that came back was expired")
	}
	tab.linkDown(p)
	tab.expire(p)
	if tab.size() != 0 {
		t.Fatal("member still in table after its grace period")
	}
}

func TestTablePromotesLongestWaiting(t *testing.T) {
	keys := peerKeys(t, 200)
	tab := newTable(keys[0].PeerID(), 1)
	for i, k := range keys[1:] {
		tab.linkUp(k.PeerID(), time.Unix(int64(i), 0))
	}
	for p := range tab.members {
		tab.linkDown(p)
		tab.expire(p)
		break
	}
	for p, since := range tab.waiting {
		if tab.wouldAccept(p) {
			t.Fatalf("peer waiting since %v fits but was not promoted", since)
		}
	}
}

func TestForwardCount(t *testing.T) {
	if n := forwardCount(41, 5, 10, 0); n != 0 {
		t.Errorf("past 4 log2 N hops: %d", n)
	}
	if n := forwardCount(21, 5, 10, 0); n != 1 {
		t.Errorf("past 2 log2 N hops: %d", n)
	}
	// At hop 0 the target is 1 + 4/10 = 1.4.
	if n := forwardCount(0, 5, 10, 0.39); n != 2 {
		t.Errorf("hop 0, u=0.39: %d, expected 2", n)
	}
	if n := forwardCount(0, 5, 10, 0.41); n != 1 {
		t.Errorf("hop 0, u=0.41: %d, expected 1", n)
	}
	if n := forwardCount(3, 1, 10, 0); n != 1 {
		t.Errorf("replication 1: %d", n)
	}
}

func TestRandomPhase(t *testing.T) {
	if !randomPhase(9, 10) || randomPhase(10, 10) {
		t.Fatal("random phase should last log2 N hops")
	}
}

func TestAmClosest(t *testing.T) {
	var self, target, near, far keyspace.Position
	self[0], near[0], far[0] = 0x10, 0x01, 0x80
	if amClosest(self, target, []keyspace.Position{near}) {
		t.Error("closer candidate ignored")
	}
	if !amClosest(self, target, []keyspace.Position{far}) {
		t.Error("farther candidate beat self")
	}
	if !amClosest(self, target, nil) {
		t.Error("no candidates: self is closest")
	}
}

// signedRoute builds a route origin -> keys[0] -> ... -> keys[n-1] -> self.
func signedRoute(keys []*identity.PrivateKey, self identity.PeerID, exp time.Time, hash [64]byte) route {
	var rt route
	for i, k := range keys {
		succ := self
		if i+1 < len(keys) {
			succ = keys[i+1].PeerID()
		}
		rt = rt.extend(k, exp, hash, succ, 100)
	}
	return rt
}

func TestRouteVerifyGood(t *testing.T) {
	keys := peerKeys(t, 5)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	rt := signedRoute(keys[:4], keys[4].PeerID(), exp, hash)
	if n := rt.verify(keys[4].PeerID(), exp, hash, -1); n != 0 || rt.truncated {
		t.Fatalf("valid route: dropped %d, truncated %v", n, rt.truncated)
	}
}

func TestRouteVerifyTruncatesAtBadSignature(t *testing.T) {
	keys := peerKeys(t, 5)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	rt := signedRoute(keys[:4], keys[4].PeerID(), exp, hash)
	rt.entries[1].Signature[0] ^= 1
	n := rt.verify(keys[4].PeerID(), exp, hash, -1)
	if n != 2 || !rt.truncated || rt.origin != keys[1].PeerID() || len(rt.entries) != 2 {
		t.Fatalf("dropped %d, truncated %v, origin ok %v, %d left", n, rt.truncated, rt.origin == keys[1].PeerID(), len(rt.entries))
	}
	if n := rt.verify(keys[4].PeerID(), exp, hash, -1); n != 0 {
		t.Fatalf("truncated route does not verify: dropped %d more", n)
	}
}

func TestRouteVerifyWrongSuccessor(t *testing.T) {
	keys := peerKeys(t, 5)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	rt := signedRoute(keys[:3], keys[3].PeerID(), exp, hash)
	if n := rt.verify(keys[4].PeerID(), exp, hash, -1); n != 3 {
		t.Fatalf("route for another successor: dropped %d, expected 3", n)
	}
}

func TestRouteExtendTrimsToRoom(t *testing.T) {
	keys := peerKeys(t, 6)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	var rt route
	for i := 0; i < 5; i++ {
		rt = rt.extend(keys[i], exp, hash, keys[i+1].PeerID(), 3)
	}
	if len(rt.entries) != 3 || !rt.truncated || rt.origin != keys[1].PeerID() {
		t.Fatalf("%d entries, truncated %v", len(rt.entries), rt.truncated)
	}
	if n := rt.verify(keys[5].PeerID(), exp, hash, -1); n != 0 {
		t.Fatalf("trimmed route does not verify: dropped %d", n)
	}
}

func TestRequestTableBounded(t *testing.T) {
	rt := newRequestTable(3, time.Minute)
	now := time.Unix(0, 0)
	keys := peerKeys(t, 5)
	for i, k := range keys {
		var key Key
		key[0] = byte(i)
		rt.add(requestKey{key: key}, k.PeerID(), 0, nil, now)
	}
	if rt.len() != 3 {
		t.Fatalf("%d live requests, limit 3", rt.len())
	}
	var first Key
	if len(rt.lookup(requestKey{key: first}, now)) != 0 {
		t.Error("oldest request not evicted")
	}
	rt.sweep(now.Add(2 * time.Minute))
	if rt.len() != 0 || len(rt.byKey) != 0 {
		t.Errorf("after expiry: %d live, %d keys", rt.len(), len(rt.byKey))
	}
}

func TestEstimateBias(t *testing.T) {
	// The mean of the maximum common prefix over N random positions is
	// log2(N) + estimateBias; check it on 4096 positions and 64 keys.
	keys := peerKeys(t, 4096)
	sum := 0.0
	for r := uint64(1); r <= 2; r++ {
		best := [estimateSamples]uint8{}
		for _, k := range keys {
			s := roundSamples(r, keyspace.OfPeer(k.PeerID()))
			for i := range best {
				best[i] = max(best[i], s[i])
			}
		}
		for _, v := range best {
			sum += float64(v)
		}
	}
	got := sum/(2*estimateSamples) - estimateBias
	if math.Abs(got-12) > 1 {
		t.Fatalf("log2 estimate %.2f for 4096 peers, expected 12 ± 1", got)
	}
}

func TestInvalidBlockNotForwarded(t *testing.T) {
	net := newFakeNet(t, 3, 3, Config{})
	net.clique()
	net.sim.RunFor(time.Second)
	m := &wire.Put{BlockType: uint32(block.TypeHello), Expires: net.sim.Now().Add(time.Hour), Replication: 5, Block: []byte("not a hello")}
	net.peers[1].dht.Receive(net.peers[0].id, m.Append(nil))
	st := net.peers[1].dht.Stats()
	if st.Dropped != 1 || st.StoredBlocks != 0 || st.MessagesOut["PUT"] != 0 {
		t.Fatalf("invalid block: dropped %d, stored %d, forwarded %d", st.Dropped, st.StoredBlocks, st.MessagesOut["PUT"])
	}
}

func TestKademliaModeFindsBlock(t *testing.T) {
	net := newFakeNet(t, 5, 30, Config{Mode: ModeKademlia})
	net.randomRegular(6)
	net.sim.RunFor(5 * time.Second)
	key := block.KeyForString("kademlia")
	if err := net.peers[0].dht.Put(key, block.TypeTest, []byte("k"), net.sim.Now().Add(time.Hour), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	net.sim.RunFor(time.Second)
	res := net.getOnce(net.peers[17], key, block.TypeTest, GetOptions{Timeout: 3 * time.Second})
	if len(res) != 1 {
		t.Fatalf("%d results, expected 1", len(res))
	}
}

func TestPutRejectsExpired(t *testing.T) {
	net := newFakeNet(t, 3, 1, Config{})
	err := net.peers[0].dht.Put(block.KeyForString("x"), block.TypeTest, []byte("v"), net.sim.Now(), PutOptions{})
	if err == nil {
		t.Fatal("Put accepted an expired block")
	}
}
