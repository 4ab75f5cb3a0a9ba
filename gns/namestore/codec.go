package namestore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hush-overlay/hush/gns/record"
)

// Record is one record as the namestore keeps it. It may carry
// record.FlagPrivate (never published) and record.FlagRelativeExpiration
// (Expiration is a duration from each publication), which never appear in
// published blocks.
type Record = record.Record

// A label's record set is stored as, integers big-endian:
//
//	version (1) = 1 | count (2) | count × record
//	record: type (4) | flags (2) | expiration (8) | size (2) | data
//
// It is RFC 9498's record layout without padding and with a count, so
// that records of all zeros survive and nothing is lost at the end.
const (
	codecVersion     = 1
	recordHeaderSize = 4 + 2 + 8 + 2
)

var errCorrupt = errors.New("namestore: corrupt record set")

func encodeSet(recs []Record) []byte {
	out := []byte{codecVersion}
	out = binary.BigEndian.AppendUint16(out, uint16(len(recs)))
	for _, r := range recs {
		out = binary.BigEndian.AppendUint32(out, uint32(r.Type))
		out = binary.BigEndian.AppendUint16(out, uint16(r.Flags))
		out = binary.BigEndian.AppendUint64(out, uint64(r.Expiration))
		out = binary.BigEndian.AppendUint16(out, uint16(len(r.Data)))
		out = append(out, r.Data...)
	}
	return out
}

func decodeSet(b []byte) ([]Record, error) {
	if b == nil {
		return nil, nil
	}
	if len(b) < 3 || b[0] != codecVersion {
		return nil, fmt.Errorf("%w: bad header", errCorrupt)
	}
	n := int(binary.BigEndian.Uint16(b[1:]))
	b = b[3:]
	out := make([]Record, 0, n)
	for range n {
		r, rest, err := decodeRecord(b)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		b = rest
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(b))
	}
	return out, nil
}

func decodeRecord(b []byte) (Record, []byte, error) {
	if len(b) < recordHeaderSize {
		return Record{}, nil, fmt.Errorf("%w: truncated record header", errCorrupt)
	}
	r := Record{
		Type:       record.Type(binary.BigEndian.Uint32(b)),
		Flags:      record.Flags(binary.BigEndian.Uint16(b[4:])),
		Expiration: record.Expiration(binary.BigEndian.Uint64(b[6:])),
	}
	size := int(binary.BigEndian.Uint16(b[14:]))
	b = b[recordHeaderSize:]
	if len(b) < size {
		return Record{}, nil, fmt.Errorf("%w: truncated record data", errCorrupt)
	}
	r.Data = append([]byte(nil), b[:size]...)
	return r, b[size:], nil
}
