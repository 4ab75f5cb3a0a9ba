package wire

import (
	"encoding/binary"
)

// Estimate floods network size samples for one round (see the dht
// package's size estimation).
//
//	+------+---------+-----------------------------------------+
//	| 5    | count   | round (u64)                             |
//	+------+---------+-----------------------------------------+
//	| count samples, one byte each: the largest number of      |
//	| leading bits any known peer shares with the round's key  |
//	+----------------------------------------------------------+
type Estimate struct {
	Round   uint64
	Samples []uint8
}

// MaxSamples bounds the samples of one round.
const MaxSamples = 64

// Append appends the wire form of m to b.
func (m *Estimate) Append(b []byte) []byte {
	b = append(b, byte(TypeEstimate), uint8(len(m.Samples)))
	b = binary.BigEndian.AppendUint64(b, m.Round)
	return append(b, m.Samples...)
}

// ParseEstimate decodes an ESTIMATE message.
func ParseEstimate(b []byte) (*Estimate, error) {
	r := &reader{b: b}
	r.header(TypeEstimate)
	n := int(r.u8("sample count"))
	if r.err == nil && (n == 0 || n > MaxSamples) {
		r.err = malformed("%d samples, expected 1 to %d", n, MaxSamples)
	}
	m := &Estimate{Round: r.u64("round")}
	m.Samples = append([]uint8(nil), r.take(n, "samples")...)
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}
