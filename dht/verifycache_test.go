package dht

import (
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
)

func TestVerifyCacheGoodRouteTwice(t *testing.T) {
	keys := peerKeys(t, 4)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	cache := NewVerifyCache()
	for range 2 {
		rt := signedRoute(keys[:3], keys[3].PeerID(), exp, hash)
		if n := rt.verifyWith(cache, keys[3].PeerID(), exp, hash, -1); n != 0 {
			t.Fatalf("valid route: dropped %d", n)
		}
	}
	if len(cache.sigs) != 3 {
		t.Fatalf("cache holds %d signatures, want 3", len(cache.sigs))
	}
}

func TestVerifyCacheBadSignatureAfterGood(t *testing.T) {
	keys := peerKeys(t, 4)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	cache := NewVerifyCache()
	rt := signedRoute(keys[:3], keys[3].PeerID(), exp, hash)
	rt.verifyWith(cache, keys[3].PeerID(), exp, hash, -1)
	bad := signedRoute(keys[:3], keys[3].PeerID(), exp, hash)
	bad.entries[2].Signature[0] ^= 1
	if n := bad.verifyWith(cache, keys[3].PeerID(), exp, hash, -1); n != 3 {
		t.Fatalf("forged newest entry: dropped %d, want 3", n)
	}
}

func TestVerifyCacheNilVerifies(t *testing.T) {
	keys := peerKeys(t, 3)
	exp, hash := time.Unix(1000, 0), block.HashData([]byte("b"))
	rt := signedRoute(keys[:2], keys[2].PeerID(), exp, hash)
	rt.entries[0].Signature[0] ^= 1
	if n := rt.verifyWith(nil, keys[2].PeerID(), exp, hash, -1); n != 1 {
		t.Fatalf("forged oldest entry: dropped %d, want 1", n)
	}
}
