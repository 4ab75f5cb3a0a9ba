// Package keyspace maps peers and DHT keys onto the 256-bit XOR key space of
// the routing table (github.com/libp2p/go-libp2p-kbucket).
//
// A peer's position is kbucket.ConvertPeerID of its libp2p peer ID, which is
// SHA-256 of the identity multihash of its Ed25519 public key. The libp2p
// peer ID is derived from the key alone, without a libp2p host.
//
// A 64-byte DHT key's position is its first 32 bytes. Every key hush stores
// under is the output of SHA-512 (TEST and GNS keys) or starts with a peer
// position (HELLO keys), so its first half is already uniform. Using the
// bytes as they are, instead of hashing them once more, lets the DHT build a
// key at any chosen position: bootstrap looks up keys near its own position
// and in sparse buckets, and a peer's HELLO is stored at the peer itself.
package keyspace

import (
	"bytes"
	"crypto/sha256"
	"math/bits"

	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/hush-overlay/hush/identity"
)

// Size is the size of a position in bytes.
const Size = 32

// Bits is the number of bits in a position.
const Bits = Size * 8

// Position is a point in the routing table's key space.
type Position [Size]byte

// LibP2PID returns the libp2p peer ID of a hush peer.
func LibP2PID(id identity.PeerID) (peer.ID, error) {
	pub, err := p2pcrypto.UnmarshalEd25519PublicKey(id[:])
	if err != nil {
		return "", err
	}
	return peer.IDFromPublicKey(pub)
}

// libp2pIDPrefix is what libp2p puts before a 32-byte Ed25519 key in a
// peer ID: the identity multihash code (0x00) and length (0x24), then the
// protobuf PublicKey header (field 1: KeyType Ed25519 = 1; field 2: 32 bytes).
var libp2pIDPrefix = []byte{0x00, 0x24, 0x08, 0x01, 0x12, 0x20}

// OfPeer returns the position of a peer: kbucket.ConvertPeerID of its
// libp2p peer ID, computed here with one SHA-256 because routing computes
// positions often. A test checks it against the libp2p functions.
func OfPeer(id identity.PeerID) Position {
	return sha256.Sum256(append(append([]byte(nil), libp2pIDPrefix...), id[:]...))
}

// OfKey returns the position of a 64-byte DHT key: its first 32 bytes.
func OfKey(key [64]byte) Position {
	var p Position
	copy(p[:], key[:Size])
	return p
}

// KeyAt returns a 64-byte DHT key whose position is p.
func KeyAt(p Position) [64]byte {
	var k [64]byte
	copy(k[:], p[:])
	return k
}

// Distance returns the XOR distance of a and b.
func Distance(a, b Position) Position {
	var d Position
	for i := range d {
		d[i] = a[i] ^ b[i]
	}
	return d
}

// Closer reports whether a is strictly closer to target than b.
func Closer(a, b, target Position) bool {
	da, db := Distance(a, target), Distance(b, target)
	return bytes.Compare(da[:], db[:]) < 0
}

// CommonPrefixLen returns the number of leading bits a and b share.
func CommonPrefixLen(a, b Position) int {
	for i := range a {
		if x := a[i] ^ b[i]; x != 0 {
			return i*8 + bits.LeadingZeros8(x)
		}
	}
	return Bits
}

// WithPrefix returns a position that shares exactly cpl leading bits with p,
// filled after that from rest. It is used to look up a key inside the bucket
// of common prefix length cpl. cpl must be below Bits.
func WithPrefix(p Position, cpl int, rest Position) Position {
	out := rest
	for i := 0; i < cpl; i++ {
		setBit(&out, i, bit(p, i))
	}
	setBit(&out, cpl, 1-bit(p, cpl))
	return out
}

func bit(p Position, i int) byte { return (p[i/8] >> (7 - i%8)) & 1 }

func setBit(p *Position, i int, v byte) {
	mask := byte(1) << (7 - i%8)
	p[i/8] = p[i/8]&^mask | v<<(7-i%8)
}
