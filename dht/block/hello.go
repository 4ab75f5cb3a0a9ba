package block

import (
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// HelloPlugin handles HELLO blocks: a peer's signed address list from
// package hello, stored under HelloKey of the peer. It remembers HELLOs whose
// signature it verified, because the same HELLO passes a peer many times
// and Ed25519 verification dominates the cost of routing it.
type HelloPlugin struct {
	verified map[[32]byte]*hello.Hello
}

// helloCacheSize bounds the verified HELLOs a plugin remembers; the cache
// is emptied when full.
const helloCacheSize = 4096

// NewHelloPlugin returns a HELLO plugin with an empty cache. A plugin must
// be used from one goroutine.
func NewHelloPlugin() *HelloPlugin {
	return &HelloPlugin{verified: make(map[[32]byte]*hello.Hello)}
}

// Parse returns the verified HELLO in data.
func (p *HelloPlugin) Parse(data []byte) (*hello.Hello, error) {
	sum := sha256.Sum256(data)
	if h, ok := p.verified[sum]; ok {
		return h, nil
	}
	h, err := hello.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("block: %w: %w", ErrInvalidBlock, err)
	}
	if len(p.verified) >= helloCacheSize {
		clear(p.verified)
	}
	p.verified[sum] = h
	return h, nil
}

// HelloKey returns the key of peer's HELLO block: the peer's 32-byte
// position in the DHT key space followed by the first 32 bytes of
// SHA-512("hush-hello" || peer ID). Since the DHT places a key by its first
// 32 bytes, a peer's HELLO is stored at the peer itself and at its closest
// neighbours.
func HelloKey(peer identity.PeerID) Key {
	var k Key
	pos := keyspace.OfPeer(peer)
	copy(k[:32], pos[:])
	h := sha512.Sum512(append([]byte("hush-hello"), peer[:]...))
	copy(k[32:], h[:32])
	return k
}

func (*HelloPlugin) Type() Type   { return TypeHello }
func (*HelloPlugin) Unique() bool { return true }

// CheckQuery accepts every key. A GET for HELLOs near a key, with the find
// approximate option, uses keys that no HELLO is stored under.
func (*HelloPlugin) CheckQuery(Key) error { return nil }

func (p *HelloPlugin) DeriveKey(data []byte) (Key, error) {
	h, err := p.Parse(data)
	if err != nil {
		return Key{}, err
	}
	return HelloKey(h.Peer), nil
}

// FilterKey makes every HELLO of the same peer a duplicate, so a GET with a
// result filter gets at most one HELLO per peer.
func (*HelloPlugin) FilterKey(data []byte) [64]byte {
	if len(data) < identity.PeerIDSize {
		return sha512.Sum512(data)
	}
	return sha512.Sum512(data[:identity.PeerIDSize])
}

// Validate parses and verifies the HELLO and rejects it once expired.
func (p *HelloPlugin) Validate(key Key, data []byte, now time.Time) (Info, error) {
	h, err := p.Parse(data)
	if err != nil {
		return Info{}, err
	}
	if HelloKey(h.Peer) != key {
		return Info{}, invalidf("HELLO of peer %s under the wrong key", h.Peer.Short())
	}
	if h.Expired(now) {
		return Info{}, fmt.Errorf("block: HELLO of peer %s: %w", h.Peer.Short(), ErrExpired)
	}
	return Info{Expires: h.Expires, Identity: sha256.Sum256(h.Peer[:])}, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("block: %w: %s", ErrInvalidBlock, fmt.Sprintf(format, args...))
}
