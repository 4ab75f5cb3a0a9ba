package keyspace

import (
	"testing"

	kbucket "github.com/libp2p/go-libp2p-kbucket"

	"github.com/hush-overlay/hush/identity"
)

func testPeer(t *testing.T, seed byte) identity.PeerID {
	t.Helper()
	s := make([]byte, 32)
	s[0] = seed
	k, err := identity.NewKeyFromSeed(s)
	if err != nil {
		t.Fatal(err)
	}
	return k.PeerID()
}

func TestOfPeerMatchesKbucket(t *testing.T) {
	id := testPeer(t, 1)
	pid, err := LibP2PID(id)
	if err != nil {
		t.Fatal(err)
	}
	want := kbucket.ConvertPeerID(pid)
	got := OfPeer(id)
	if string(got[:]) != string(want) {
		t.Fatalf("position %x, kbucket has %x", got, want)
	}
}

func TestWithPrefixSharesExactBits(t *testing.T) {
	p := OfPeer(testPeer(t, 2))
	rest := OfPeer(testPeer(t, 3))
	for _, cpl := range []int{0, 1, 7, 8, 13, 255} {
		q := WithPrefix(p, cpl, rest)
		if got := CommonPrefixLen(p, q); got != cpl {
			t.Errorf("cpl %d: common prefix %d", cpl, got)
		}
	}
}

func TestCommonPrefixLenOfEqual(t *testing.T) {
	p := OfPeer(testPeer(t, 4))
	if got := CommonPrefixLen(p, p); got != Bits {
		t.Fatalf("common prefix of equal positions %d, expected %d", got, Bits)
	}
}

func TestKeyAtRoundTrip(t *testing.T) {
	p := OfPeer(testPeer(t, 5))
	if OfKey(KeyAt(p)) != p {
		t.Fatal("OfKey(KeyAt(p)) != p")
	}
}
