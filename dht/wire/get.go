package wire

import (
	"encoding/binary"
)

// Get requests blocks under a key (R5N GetMessage).
//
//	 0      1        2             4              6
//	+------+--------+-------------+--------------+---------------------+
//	| 2    | options| hop count   | replication  | result filter bytes |
//	+------+--------+-------------+--------------+---------------------+
//	| block type (u32)  | result filter mutator (u32)                  |
//	| peer filter (128 bytes)                                          |
//	| key (64 bytes)                                                   |
//	| result filter bits (result filter bytes)                         |
//	+------------------------------------------------------------------+
//
// A result filter length of zero means no filter.
type Get struct {
	Options       Options
	HopCount      uint16
	Replication   uint16
	BlockType     uint32
	FilterMutator uint32
	PeerFilter    PeerFilter
	Key           [KeySize]byte
	// ResultFilter is the bit array of the GET's result filter; the dht
	// package checks its length.
	ResultFilter []byte
}

// GetHeaderSize is the size of a GET without its result filter.
const GetHeaderSize = 8 + 4 + 4 + PeerFilterSize + KeySize

// Append appends the wire form of m to b.
func (m *Get) Append(b []byte) []byte {
	b = append(b, byte(TypeGet), byte(m.Options))
	b = binary.BigEndian.AppendUint16(b, m.HopCount)
	b = binary.BigEndian.AppendUint16(b, m.Replication)
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.ResultFilter)))
	b = binary.BigEndian.AppendUint32(b, m.BlockType)
	b = binary.BigEndian.AppendUint32(b, m.FilterMutator)
	b = append(b, m.PeerFilter[:]...)
	b = append(b, m.Key[:]...)
	return append(b, m.ResultFilter...)
}

// ParseGet decodes a GET. ResultFilter aliases b.
func ParseGet(b []byte) (*Get, error) {
	r := &reader{b: b}
	r.header(TypeGet)
	m := &Get{Options: r.options(), HopCount: r.u16("hop count"), Replication: r.u16("replication")}
	n := int(r.u16("result filter length"))
	m.BlockType = r.u32("block type")
	m.FilterMutator = r.u32("result filter mutator")
	copy(m.PeerFilter[:], r.take(PeerFilterSize, "peer filter"))
	m.Key = r.key("key")
	if n > 0 {
		m.ResultFilter = r.take(n, "result filter")
	}
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}
