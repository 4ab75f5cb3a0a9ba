// Package datastore keeps the blocks a DHT peer stores: an in-memory store
// for simulations and a bbolt store for daemons. Both apply the same rules:
//
//   - A record is identified by (key, block type, identity), where the block
//     type's plugin gives the identity. A Put never replaces a record by one
//     of the same identity that expires at the same time or earlier.
//   - The total size of the records stays within a quota. When a new record
//     does not fit, the records that expire soonest are evicted first; if the
//     new record itself expires before all of them, it is not stored.
//   - Expired records are never returned and are removed by Sweep.
package datastore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// Record is one stored block.
type Record struct {
	Key      block.Key
	Type     block.Type
	Identity [32]byte
	Expires  time.Time
	Data     []byte
	// PutPath is the route the block took to this peer, if it was
	// recorded. With Truncated set, TruncatedOrigin precedes PutPath[0].
	PutPath         []wire.PathEntry
	Truncated       bool
	TruncatedOrigin identity.PeerID
}

// recordOverhead approximates the bytes a record costs beyond its data and
// path, for the quota.
const recordOverhead = 128

// Size returns the bytes the record counts against the quota.
func (r *Record) Size() int64 {
	return int64(len(r.Data) + len(r.PutPath)*wire.PathEntrySize + recordOverhead)
}

// Stats describes a datastore's content.
type Stats struct {
	Records int
	Bytes   int64
}

// Datastore stores DHT blocks. Implementations are used from one peer loop
// and need no locking.
type Datastore interface {
	// Put stores r unless it has expired at now, an equal or newer version
	// of the same record is stored, or it does not fit the quota. It
	// reports whether r was stored.
	Put(now time.Time, r Record) (bool, error)
	// Get calls fn for each record under key of type typ (every type for
	// block.TypeAny) that has not expired at now, until fn returns false.
	Get(key block.Key, typ block.Type, now time.Time, fn func(Record) bool) error
	// Sweep removes the records that have expired at now and returns how
	// many it removed.
	Sweep(now time.Time) (int, error)
	// Stats returns the number of records and their size.
	Stats() Stats
}

// ErrQuotaTooSmall is returned by constructors for a quota of zero or less.
var ErrQuotaTooSmall = errors.New("datastore: quota must be positive")

// rowID is the unique name of a record: key, type and identity.
type rowID [block.KeySize + 4 + 32]byte

func idOf(r *Record) rowID {
	var id rowID
	copy(id[:], r.Key[:])
	binary.BigEndian.PutUint32(id[block.KeySize:], uint32(r.Type))
	copy(id[block.KeySize+4:], r.Identity[:])
	return id
}

// prefix returns the row ID prefix that selects key and typ.
func prefix(key block.Key, typ block.Type) []byte {
	p := append([]byte(nil), key[:]...)
	if typ != block.TypeAny {
		p = binary.BigEndian.AppendUint32(p, uint32(typ))
	}
	return p
}

// expiryEntry orders records for eviction and sweeps.
type expiryEntry struct {
	micros uint64
	id     rowID
}

func (e expiryEntry) bytes() []byte {
	b := binary.BigEndian.AppendUint64(nil, e.micros)
	return append(b, e.id[:]...)
}

func entryOf(r *Record) expiryEntry {
	return expiryEntry{micros: wire.TimeToMicros(r.Expires), id: idOf(r)}
}

func (e expiryEntry) less(o expiryEntry) bool {
	if e.micros != o.micros {
		return e.micros < o.micros
	}
	return bytes.Compare(e.id[:], o.id[:]) < 0
}

// expired reports whether r has expired at now.
func expired(r *Record, now time.Time) bool {
	return wire.TimeToMicros(r.Expires) <= wire.TimeToMicros(now)
}
