package datastore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// Bucket names in the peer's database.
var (
	blocksBucket = []byte("dht-blocks") // row ID -> encoded record
	expiryBucket = []byte("dht-expiry") // expiry (u64 µs) || row ID -> empty
)

// Bolt is a Datastore in a bbolt database. Its size accounting lives in
// memory and is rebuilt by NewBolt.
//
// Record value layout: expiry (u64 µs), flags (u8, bit 0 truncated),
// truncated origin (32 bytes), path length (u16), path entries, data.
type Bolt struct {
	db    *bolt.DB
	quota int64
	used  int64
	count int
}

var _ Datastore = (*Bolt)(nil)

// NewBolt opens the DHT buckets in db, creating them if needed, with a quota
// in bytes.
func NewBolt(db *bolt.DB, quota int64) (*Bolt, error) {
	if quota <= 0 {
		return nil, ErrQuotaTooSmall
	}
	s := &Bolt{db: db, quota: quota}
	err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(expiryBucket); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(blocksBucket)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error { return s.account(k, v) })
	})
	if err != nil {
		return nil, fmt.Errorf("datastore: open dht buckets: %w", err)
	}
	return s, nil
}

func (s *Bolt) account(k, v []byte) error {
	r, err := decodeRecord(k, v)
	if err != nil {
		return err
	}
	s.used += r.Size()
	s.count++
	return nil
}

// Put implements Datastore.
func (s *Bolt) Put(now time.Time, r Record) (bool, error) {
	if expired(&r, now) || r.Size() > s.quota {
		return false, nil
	}
	stored := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		stored, err = s.put(tx, r)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("datastore: put: %w", err)
	}
	return stored, nil
}

func (s *Bolt) put(tx *bolt.Tx, r Record) (bool, error) {
	id := idOf(&r)
	blocks := tx.Bucket(blocksBucket)
	if v := blocks.Get(id[:]); v != nil {
		old, err := decodeRecord(id[:], v)
		if err != nil {
			return false, err
		}
		if !r.Expires.After(old.Expires) {
			return false, nil
		}
		if err := s.delete(tx, &old); err != nil {
			return false, err
		}
	}
	ok, err := s.makeRoom(tx, entryOf(&r), r.Size())
	if !ok || err != nil {
		return false, err
	}
	return true, s.insert(tx, &r)
}

// makeRoom evicts the soonest-expiring records until size more bytes fit,
// but never a record that expires after e.
func (s *Bolt) makeRoom(tx *bolt.Tx, e expiryEntry, size int64) (bool, error) {
	for s.used+size > s.quota {
		k, _ := tx.Bucket(expiryBucket).Cursor().First()
		if k == nil || bytes.Compare(k, e.bytes()) >= 0 {
			return false, nil
		}
		r, err := s.load(tx, k[8:])
		if err != nil {
			return false, err
		}
		if err := s.delete(tx, &r); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (s *Bolt) load(tx *bolt.Tx, id []byte) (Record, error) {
	v := tx.Bucket(blocksBucket).Get(id)
	if v == nil {
		return Record{}, fmt.Errorf("expiry index names missing record %x", id[:8])
	}
	return decodeRecord(id, v)
}

func (s *Bolt) insert(tx *bolt.Tx, r *Record) error {
	e := entryOf(r)
	if err := tx.Bucket(blocksBucket).Put(e.id[:], encodeRecord(r)); err != nil {
		return err
	}
	if err := tx.Bucket(expiryBucket).Put(e.bytes(), nil); err != nil {
		return err
	}
	s.used += r.Size()
	s.count++
	return nil
}

func (s *Bolt) delete(tx *bolt.Tx, r *Record) error {
	e := entryOf(r)
	if err := tx.Bucket(blocksBucket).Delete(e.id[:]); err != nil {
		return err
	}
	if err := tx.Bucket(expiryBucket).Delete(e.bytes()); err != nil {
		return err
	}
	s.used -= r.Size()
	s.count--
	return nil
}

// Get implements Datastore.
func (s *Bolt) Get(key block.Key, typ block.Type, now time.Time, fn func(Record) bool) error {
	p := prefix(key, typ)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(blocksBucket).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			r, err := decodeRecord(k, v)
			if err != nil {
				return err
			}
			if !expired(&r, now) && !fn(r) {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("datastore: get: %w", err)
	}
	return nil
}

// Sweep implements Datastore.
func (s *Bolt) Sweep(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		limit := wire.TimeToMicros(now)
		for {
			k, _ := tx.Bucket(expiryBucket).Cursor().First()
			if k == nil || binary.BigEndian.Uint64(k) > limit {
				return nil
			}
			r, err := s.load(tx, k[8:])
			if err != nil {
				return err
			}
			if err := s.delete(tx, &r); err != nil {
				return err
			}
			n++
		}
	})
	if err != nil {
		return n, fmt.Errorf("datastore: sweep: %w", err)
	}
	return n, nil
}

// Stats implements Datastore.
func (s *Bolt) Stats() Stats { return Stats{Records: s.count, Bytes: s.used} }

const valueHeaderSize = 8 + 1 + identity.PeerIDSize + 2

func encodeRecord(r *Record) []byte {
	b := binary.BigEndian.AppendUint64(nil, wire.TimeToMicros(r.Expires))
	var flags byte
	if r.Truncated {
		flags = 1
	}
	b = append(b, flags)
	b = append(b, r.TruncatedOrigin[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.PutPath)))
	for _, e := range r.PutPath {
		b = append(b, e.Peer[:]...)
		b = append(b, e.Signature[:]...)
	}
	return append(b, r.Data...)
}

func decodeRecord(id, v []byte) (Record, error) {
	var r Record
	if len(id) != len(rowID{}) || len(v) < valueHeaderSize {
		return r, fmt.Errorf("corrupt record %x", id)
	}
	copy(r.Key[:], id)
	r.Type = block.Type(binary.BigEndian.Uint32(id[block.KeySize:]))
	copy(r.Identity[:], id[block.KeySize+4:])
	r.Expires = wire.MicrosToTime(binary.BigEndian.Uint64(v))
	r.Truncated = v[8]&1 != 0
	copy(r.TruncatedOrigin[:], v[9:])
	n := int(binary.BigEndian.Uint16(v[9+identity.PeerIDSize:]))
	rest := v[valueHeaderSize:]
	if len(rest) < n*wire.PathEntrySize {
		return r, fmt.Errorf("corrupt record %x: path of %d entries", id[:8], n)
	}
	for i := 0; i < n; i++ {
		var e wire.PathEntry
		copy(e.Peer[:], rest)
		copy(e.Signature[:], rest[identity.PeerIDSize:])
		r.PutPath = append(r.PutPath, e)
		rest = rest[wire.PathEntrySize:]
	}
	r.Data = append([]byte(nil), rest...)
	return r, nil
}
