package wire

import (
	"encoding/binary"
	"time"

	"github.com/hush-overlay/hush/identity"
)

// Result carries a block back along a GET's route (R5N ResultMessage).
//
//	 0      1        2               4               6          8
//	+------+--------+---------------+---------------+----------+
//	| 3    | options| put path len  | get path len  | block len|
//	+------+--------+---------------+---------------+----------+
//	| block type (u32) | expiry (u64, µs)                      |
//	| query key (64 bytes): the key of the GET answered        |
//	| block key (64 bytes): the key the block is stored under  |
//	| truncated origin (32 bytes, only with Truncated)         |
//	| put path, then get path entries (96 bytes each)          |
//	| block (block len bytes)                                  |
//	+----------------------------------------------------------+
//
// The put path and the get path form one chain of signatures: the first get
// path entry is the peer that answered the GET, whose predecessor is the
// last put path entry.
type Result struct {
	Options         Options
	BlockType       uint32
	Expires         time.Time
	QueryKey        [KeySize]byte
	BlockKey        [KeySize]byte
	TruncatedOrigin identity.PeerID
	PutPath         []PathEntry
	GetPath         []PathEntry
	Block           []byte
}

// ResultHeaderSize is the size of a RESULT without truncated origin, paths
// and block.
const ResultHeaderSize = 8 + 4 + 8 + 2*KeySize

// Append appends the wire form of m to b.
func (m *Result) Append(b []byte) []byte {
	b = append(b, byte(TypeResult), byte(m.Options))
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.PutPath)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.GetPath)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.Block)))
	b = binary.BigEndian.AppendUint32(b, m.BlockType)
	b = binary.BigEndian.AppendUint64(b, TimeToMicros(m.Expires))
	b = append(b, m.QueryKey[:]...)
	b = append(b, m.BlockKey[:]...)
	if m.Options.Has(Truncated) {
		b = append(b, m.TruncatedOrigin[:]...)
	}
	b = appendPath(b, m.PutPath)
	b = appendPath(b, m.GetPath)
	return append(b, m.Block...)
}

// Size returns the encoded size of m.
func (m *Result) Size() int {
	n := ResultHeaderSize + (len(m.PutPath)+len(m.GetPath))*PathEntrySize + len(m.Block)
	if m.Options.Has(Truncated) {
		n += identity.PeerIDSize
	}
	return n
}

// ParseResult decodes a RESULT. Paths are copied; Block aliases b.
func ParseResult(b []byte) (*Result, error) {
	r := &reader{b: b}
	r.header(TypeResult)
	m := &Result{Options: r.options()}
	nput, nget := int(r.u16("put path length")), int(r.u16("get path length"))
	size := int(r.u16("block length"))
	m.BlockType = r.u32("block type")
	m.Expires = MicrosToTime(r.u64("expiry"))
	m.QueryKey = r.key("query key")
	m.BlockKey = r.key("block key")
	if m.Options.Has(Truncated) {
		m.TruncatedOrigin = r.peer("truncated origin")
	}
	m.PutPath = r.path(nput, "put path")
	m.GetPath = r.path(nget, "get path")
	m.Block = r.take(size, "block")
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}
