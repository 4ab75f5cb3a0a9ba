package core

import (
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// helloCache remembers the encoded form of HELLOs whose signature has been
// verified, so a peer that reconnects with the same HELLO costs a byte
// comparison instead of an Ed25519 verification. It is owned by the loop and
// cleared when it holds maxKeyCacheEntries HELLOs.
type helloCache struct {
	verified map[identity.PeerID]verifiedHello
}

type verifiedHello struct {
	encoded string
	hello   *hello.Hello
}

func newHelloCache() *helloCache {
	return &helloCache{verified: make(map[identity.PeerID]verifiedHello)}
}

// parse returns the verified HELLO encoded in b. The result is shared and
// must not be modified.
func (c *helloCache) parse(b []byte) (*hello.Hello, error) {
	if len(b) >= identity.PeerIDSize {
		v, ok := c.verified[identity.PeerID(b[:identity.PeerIDSize])]
		if ok && v.encoded == string(b) {
			return v.hello, nil
		}
	}
	h, err := hello.Parse(b)
	if err != nil {
		return nil, err
	}
	if len(c.verified) >= maxKeyCacheEntries {
		clear(c.verified)
	}
	c.verified[h.Peer] = verifiedHello{encoded: string(b), hello: h}
	return h, nil
}
