package block

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"golang.org/x/crypto/blake2b"
)

// A ResultFilter is a Bloom filter over the filter keys of results a GET has
// already received. A peer answering the GET skips results the filter
// contains. The mutator salts the hash, so that each retry of a GET has
// different false positives and no result stays hidden for good.
//
// Wire form: mutator (uint32, big-endian) then the bit array, whose length is
// a power of two between MinFilterBytes and MaxFilterBytes.
type ResultFilter struct {
	Mutator uint32
	Bits    []byte
}

// Filter sizes and hash count. Eight hashes with 16 bits per expected
// element give a false positive rate of about 0.06 %.
const (
	MinFilterBytes = 8
	MaxFilterBytes = 4096
	filterHashes   = 8
	bitsPerElement = 16
)

// ErrFilterSize is wrapped when a filter's bit array has an invalid length.
var ErrFilterSize = errors.New("invalid result filter size")

// NewResultFilter returns an empty filter sized for expected results.
func NewResultFilter(mutator uint32, expected int) *ResultFilter {
	n := MinFilterBytes
	for n*8 < expected*bitsPerElement && n < MaxFilterBytes {
		n *= 2
	}
	return &ResultFilter{Mutator: mutator, Bits: make([]byte, n)}
}

// CheckFilterSize returns an error unless n is a valid bit array length.
func CheckFilterSize(n int) error {
	if n < MinFilterBytes || n > MaxFilterBytes || bits.OnesCount(uint(n)) != 1 {
		return fmt.Errorf("block: %w: %d bytes, expected a power of two from %d to %d", ErrFilterSize, n, MinFilterBytes, MaxFilterBytes)
	}
	return nil
}

// Add records a filter key.
func (f *ResultFilter) Add(k [64]byte) {
	for _, i := range f.indexes(k) {
		f.Bits[i/8] |= 1 << (i % 8)
	}
}

// Contains reports whether k was probably added.
func (f *ResultFilter) Contains(k [64]byte) bool {
	if f == nil || len(f.Bits) == 0 {
		return false
	}
	for _, i := range f.indexes(k) {
		if f.Bits[i/8]&(1<<(i%8)) == 0 {
			return false
		}
	}
	return true
}

func (f *ResultFilter) indexes(k [64]byte) [filterHashes]uint32 {
	var m [4]byte
	binary.BigEndian.PutUint32(m[:], f.Mutator)
	h := blake2b.Sum256(append(m[:], k[:]...))
	mask := uint32(len(f.Bits)*8 - 1)
	var out [filterHashes]uint32
	for i := range out {
		out[i] = binary.BigEndian.Uint32(h[i*4:]) & mask
	}
	return out
}

// Clone returns a deep copy of f.
func (f *ResultFilter) Clone() *ResultFilter {
	if f == nil {
		return nil
	}
	return &ResultFilter{Mutator: f.Mutator, Bits: append([]byte(nil), f.Bits...)}
}
