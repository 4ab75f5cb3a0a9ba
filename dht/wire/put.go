package wire

import (
	"encoding/binary"
	"time"

	"github.com/hush-overlay/hush/identity"
)

// Put asks peers along its route to store a block (R5N PutMessage).
//
//	 0      1        2           4             6          8           10
//	+------+--------+-----------+-------------+----------+-----------+
//	| 1    | options| hop count | replication | path len | block len |
//	+------+--------+-----------+-------------+----------+-----------+
//	| block type (u32) | expiry (u64, µs)                            |
//	| peer filter (128 bytes)                                |
//	| key (64 bytes)                                         |
//	| truncated origin (32 bytes, only with Truncated)       |
//	| path entries (path len × 96 bytes)                     |
//	| block (block len bytes)                                |
//	+--------------------------------------------------------+
type Put struct {
	Options     Options
	HopCount    uint16
	Replication uint16
	BlockType   uint32
	Expires     time.Time
	PeerFilter  PeerFilter
	Key         [KeySize]byte
	// TruncatedOrigin is the predecessor of Path[0] when Options has
	// Truncated.
	TruncatedOrigin identity.PeerID
	Path            []PathEntry
	Block           []byte
}

// PutHeaderSize is the size of a PUT without truncated origin, path and
// block.
const PutHeaderSize = 10 + 4 + 8 + PeerFilterSize + KeySize

// Append appends the wire form of m to b.
func (m *Put) Append(b []byte) []byte {
	b = append(b, byte(TypePut), byte(m.Options))
	b = binary.BigEndian.AppendUint16(b, m.HopCount)
	b = binary.BigEndian.AppendUint16(b, m.Replication)
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.Path)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(m.Block)))
	b = binary.BigEndian.AppendUint32(b, m.BlockType)
	b = binary.BigEndian.AppendUint64(b, TimeToMicros(m.Expires))
	b = append(b, m.PeerFilter[:]...)
	b = append(b, m.Key[:]...)
	if m.Options.Has(Truncated) {
		b = append(b, m.TruncatedOrigin[:]...)
	}
	b = appendPath(b, m.Path)
	return append(b, m.Block...)
}

// Size returns the encoded size of m.
func (m *Put) Size() int {
	n := PutHeaderSize + len(m.Path)*PathEntrySize + len(m.Block)
	if m.Options.Has(Truncated) {
		n += identity.PeerIDSize
	}
	return n
}

// ParsePut decodes a PUT. Path and Block alias b.
func ParsePut(b []byte) (*Put, error) {
	r := &reader{b: b}
	r.header(TypePut)
	m := &Put{Options: r.options(), HopCount: r.u16("hop count"), Replication: r.u16("replication")}
	n, size := int(r.u16("path length")), int(r.u16("block length"))
	m.BlockType = r.u32("block type")
	m.Expires = MicrosToTime(r.u64("expiry"))
	copy(m.PeerFilter[:], r.take(PeerFilterSize, "peer filter"))
	m.Key = r.key("key")
	if m.Options.Has(Truncated) {
		m.TruncatedOrigin = r.peer("truncated origin")
	}
	m.Path = r.path(n, "path")
	m.Block = r.take(size, "block")
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}
