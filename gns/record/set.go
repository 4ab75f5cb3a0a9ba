package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// headerSize is the size of a record header in RDATA.
const headerSize = 16

// MaxDataSize is the largest record data that the 16-bit DATA SIZE field
// can describe.
const MaxDataSize = math.MaxUint16

// ErrInvalidSet is wrapped by errors about malformed record sets.
var ErrInvalidSet = errors.New("invalid record set")

// SetSize returns the size of the RDATA that MarshalSet writes for
// records, padding included.
func SetSize(records []Record) int {
	n := 0
	for _, r := range records {
		n += headerSize + len(r.Data)
	}
	if n == 0 || records[0].Type.IsDelegation() {
		return n
	}
	size := 1
	for size < n {
		size <<= 1
	}
	return size
}

// MarshalSet encodes records as RDATA, padded as RFC 9498 section
// "Plaintext Record Data (RDATA)" requires and as GNUnet does: zeros up to the next power of two, except
// when the first record is a zone delegation.
func MarshalSet(records []Record) ([]byte, error) {
	out := make([]byte, 0, SetSize(records))
	for i, r := range records {
		if len(r.Data) > MaxDataSize {
			return nil, fmt.Errorf("record: %w: record %d (%s) has %d bytes of data, the maximum is %d", ErrInvalidSet, i, r.Type, len(r.Data), MaxDataSize)
		}
		out = binary.BigEndian.AppendUint64(out, uint64(r.Expiration))
		out = binary.BigEndian.AppendUint16(out, uint16(len(r.Data)))
		out = binary.BigEndian.AppendUint16(out, uint16(r.Flags))
		out = binary.BigEndian.AppendUint32(out, uint32(r.Type))
		out = append(out, r.Data...)
	}
	return out[:cap(out)], nil
}

// ParseSet decodes RDATA. It reads records until the data ends or a
// header of 16 zero bytes starts the padding, as GNUnet does, and ignores
// what follows. A record whose data runs past the end is an error.
func ParseSet(rdata []byte) ([]Record, error) {
	var records []Record
	for off := 0; len(rdata)-off >= headerSize; {
		h := rdata[off : off+headerSize]
		if isZero(h) {
			break
		}
		size := int(binary.BigEndian.Uint16(h[8:]))
		if len(rdata)-off-headerSize < size {
			return nil, fmt.Errorf("record: %w: record %d at offset %d has %d bytes of data, only %d remain", ErrInvalidSet, len(records), off, size, len(rdata)-off-headerSize)
		}
		records = append(records, Record{
			Expiration: Expiration(binary.BigEndian.Uint64(h)),
			Flags:      Flags(binary.BigEndian.Uint16(h[10:])),
			Type:       Type(binary.BigEndian.Uint32(h[12:])),
			Data:       append([]byte(nil), rdata[off+headerSize:off+headerSize+size]...),
		})
		off += headerSize + size
	}
	return records, nil
}

func isZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}
