package dht

import (
	"crypto/sha256"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/identity"
)

// verifyCacheSize bounds the signatures a VerifyCache remembers. The cache
// is emptied when full.
const verifyCacheSize = 1 << 18

// VerifyCache remembers HELLOs and path signatures that verified, for DHTs
// that share it through Config.VerifyCache. In a simulation every peer
// checks the same HELLOs and routes again, and Ed25519 verification was
// about half of the CPU time of a 300-peer run without it. A hit needs the same bytes, so sharing the
// cache skips no check that could fail. It is not safe for concurrent use:
// every DHT sharing it must run on the same goroutine, as the peers of one
// loop.Sim do.
type VerifyCache struct {
	hellos *block.HelloPlugin
	sigs   map[[32]byte]struct{}
}

// NewVerifyCache returns an empty cache.
func NewVerifyCache() *VerifyCache {
	return &VerifyCache{hellos: block.NewHelloPlugin(), sigs: make(map[[32]byte]struct{})}
}

// verify reports whether sig is peer's signature of msg. A nil cache
// verifies every time.
func (c *VerifyCache) verify(peer identity.PeerID, msg, sig []byte) bool {
	if c == nil {
		return peer.Verify(msg, sig)
	}
	h := sha256.New()
	h.Write(peer[:])
	h.Write(sig)
	h.Write(msg)
	var sum [32]byte
	h.Sum(sum[:0])
	if _, ok := c.sigs[sum]; ok {
		return true
	}
	if !peer.Verify(msg, sig) {
		return false
	}
	if len(c.sigs) >= verifyCacheSize {
		clear(c.sigs)
	}
	c.sigs[sum] = struct{}{}
	return true
}

// helloPlugin returns the shared HELLO plugin, or a new one for a nil
// cache.
func (c *VerifyCache) helloPlugin() *block.HelloPlugin {
	if c == nil {
		return block.NewHelloPlugin()
	}
	return c.hellos
}
