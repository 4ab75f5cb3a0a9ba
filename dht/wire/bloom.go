package wire

import (
	"crypto/sha512"
	"encoding/binary"

	"github.com/hush-overlay/hush/identity"
)

// Peer filter parameters: 1024 bits and 16 hash functions, as R5N's peer
// Bloom filter. With 16 functions the filter holds about 40 peers at a 1 %
// false positive rate, more than the hops of any route.
const (
	PeerFilterBits   = 1024
	PeerFilterSize   = PeerFilterBits / 8
	PeerFilterHashes = 16
)

// PeerFilter is a Bloom filter of the peers a message has visited. The bit
// positions of a peer are the first 16 big-endian 16-bit words of
// SHA-512(peer ID), each modulo 1024, so every peer computes the same filter.
type PeerFilter [PeerFilterSize]byte

// Add records peer.
func (f *PeerFilter) Add(peer identity.PeerID) {
	for _, i := range peerBits(peer) {
		f[i/8] |= 1 << (i % 8)
	}
}

// Contains reports whether peer was probably added.
func (f *PeerFilter) Contains(peer identity.PeerID) bool {
	return f.ContainsBits(PeerBits(peer))
}

// ContainsBits is Contains for a peer whose PeerBits the caller kept, so
// that routing tests many peers without hashing each of them again.
func (f *PeerFilter) ContainsBits(bits PeerFilterBitsOf) bool {
	for _, i := range bits {
		if f[i/8]&(1<<(i%8)) == 0 {
			return false
		}
	}
	return true
}

// PeerFilterBitsOf holds the bit positions of one peer in a PeerFilter.
type PeerFilterBitsOf = [PeerFilterHashes]uint16

// PeerBits returns the bit positions of peer in a PeerFilter.
func PeerBits(peer identity.PeerID) PeerFilterBitsOf { return peerBits(peer) }

func peerBits(peer identity.PeerID) [PeerFilterHashes]uint16 {
	h := sha512.Sum512(peer[:])
	var out [PeerFilterHashes]uint16
	for i := range out {
		out[i] = binary.BigEndian.Uint16(h[2*i:]) % PeerFilterBits
	}
	return out
}
