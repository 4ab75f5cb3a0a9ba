// Package wire encodes and parses the messages that DHT peers exchange over
// CORE links (service core.ServiceDHT). Each message type lives in its own
// file with its parser and append-encoder. All integers are big-endian.
// The layouts follow the roles of the fields in R5N
// (draft-schanzen-r5n, "Message Processing"), not its exact byte layout.
//
// Every message starts with one byte giving its type:
//
//	PUT      1  store a block along the route (put.go)
//	GET      2  request blocks under a key (get.go)
//	RESULT   3  a block travelling back to a GET's origin (result.go)
//	HELLO    4  a neighbour's signed HELLO (hello.go)
//	ESTIMATE 5  network size estimation samples (estimate.go)
//
// Times are microseconds since 1970-01-01 UTC in a uint64. Values above
// MaxMicros are read as MaxMicros, so "the largest u64" means "never".
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hush-overlay/hush/identity"
)

// Type is a DHT message type.
type Type uint8

// Message types.
const (
	TypePut      Type = 1
	TypeGet      Type = 2
	TypeResult   Type = 3
	TypeHello    Type = 4
	TypeEstimate Type = 5
)

func (t Type) String() string {
	switch t {
	case TypePut:
		return "PUT"
	case TypeGet:
		return "GET"
	case TypeResult:
		return "RESULT"
	case TypeHello:
		return "HELLO"
	case TypeEstimate:
		return "ESTIMATE"
	}
	return "type-" + strconv.Itoa(int(t))
}

// Options are the R5N routing option flags carried by PUT, GET and RESULT.
type Options uint8

// Option flags.
const (
	// DemultiplexEverywhere stores a PUT and answers a GET at every hop,
	// not only at the closest peers.
	DemultiplexEverywhere Options = 1 << 0
	// RecordRoute makes each hop append a signed path entry.
	RecordRoute Options = 1 << 1
	// FindApproximate lets a GET return blocks under keys near its key.
	FindApproximate Options = 1 << 2
	// Truncated marks a path whose oldest entries were dropped; the
	// message then carries the peer before the first remaining entry.
	Truncated Options = 1 << 3

	knownOptions = DemultiplexEverywhere | RecordRoute | FindApproximate | Truncated
)

// Has reports whether all flags in f are set.
func (o Options) Has(f Options) bool { return o&f == f }

// MaxMicros is the largest expiry time the DHT represents.
const MaxMicros = 1 << 62

// KeySize is the size of a DHT key.
const KeySize = 64

// ErrMalformed is wrapped by every parse error.
var ErrMalformed = errors.New("malformed DHT message")

// PeekType returns the type of the encoded message b.
func PeekType(b []byte) (Type, error) {
	if len(b) == 0 {
		return 0, malformed("empty message")
	}
	return Type(b[0]), nil
}

// TimeToMicros converts t to the wire form, clamped to [0, MaxMicros].
func TimeToMicros(t time.Time) uint64 {
	if t.Unix() > MaxMicros/1_000_000 {
		// UnixMicro overflows for such times (GNS's "never" is one).
		return MaxMicros
	}
	us := t.UnixMicro()
	if us < 0 {
		return 0
	}
	if us > MaxMicros {
		return MaxMicros
	}
	return uint64(us)
}

// MicrosToTime converts a wire time, clamping values above MaxMicros.
func MicrosToTime(us uint64) time.Time {
	if us > MaxMicros {
		us = MaxMicros
	}
	return time.UnixMicro(int64(us)).UTC()
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("wire: %w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// reader consumes a message front to back and remembers the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.off < n {
		r.err = malformed("truncated %s at byte %d", what, r.off)
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *reader) u8(what string) uint8 {
	if b := r.take(1, what); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16(what string) uint16 {
	if b := r.take(2, what); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if b := r.take(4, what); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if b := r.take(8, what); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (r *reader) key(what string) (k [KeySize]byte) {
	copy(k[:], r.take(KeySize, what))
	return k
}

func (r *reader) peer(what string) (p identity.PeerID) {
	copy(p[:], r.take(identity.PeerIDSize, what))
	return p
}

func (r *reader) rest() []byte {
	if r.err != nil {
		return nil
	}
	out := r.b[r.off:]
	r.off = len(r.b)
	return out
}

// end records an error if bytes are left over.
func (r *reader) end() {
	if r.err == nil && r.off != len(r.b) {
		r.err = malformed("%d trailing bytes", len(r.b)-r.off)
	}
}

// header reads the type byte and checks it.
func (r *reader) header(want Type) {
	if t := Type(r.u8("type")); r.err == nil && t != want {
		r.err = malformed("type %s, expected %s", t, want)
	}
}

func (r *reader) options() Options {
	o := Options(r.u8("options"))
	if r.err == nil && o&^knownOptions != 0 {
		r.err = malformed("unknown option bits %#x", uint8(o&^knownOptions))
	}
	return o
}
