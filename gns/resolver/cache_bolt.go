package resolver

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// CacheBucket is the bbolt bucket of BoltCache.
const CacheBucket = "gnscache"

// BoltCache is a Cache in the peer's bbolt database, so cached names
// survive restarts. A key is the zone ID followed by the label. A value is
// the block expiration in microseconds (8 bytes, big-endian) followed by
// the RDATA of the records (record.MarshalSet).
//
// The cache holds decrypted records of zones the user looked up, so the
// database reveals what was resolved; it lives next to the user's keys.
type BoltCache struct {
	db *bolt.DB
}

// OpenBoltCache creates the cache bucket if needed.
func OpenBoltCache(db *bolt.DB) (*BoltCache, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(CacheBucket))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("resolver: create cache bucket: %w", err)
	}
	return &BoltCache{db: db}, nil
}

func boltKey(zk zone.PublicKey, label string) []byte {
	return append(zk.ID(), label...)
}

// Get implements Cache. Expired entries are ignored here and removed by
// Prune.
func (c *BoltCache) Get(zk zone.PublicKey, label string, now time.Time) ([]record.Record, bool) {
	var recs []record.Record
	found := false
	c.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(CacheBucket)).Get(boltKey(zk, label))
		if len(v) < 8 || !zone.TimeFromMicros(binary.BigEndian.Uint64(v)).After(now) {
			return nil
		}
		var err error
		recs, err = record.ParseSet(v[8:])
		found = err == nil
		return nil
	})
	if found && recs == nil {
		recs = []record.Record{}
	}
	return recs, found
}

// Put implements Cache. A failed write only loses the cache entry.
//
// NOTE: the write transaction runs on the caller's goroutine, the peer's
// loop, and waits for bbolt's fsync, so each cache miss costs the loop one
// disk sync.
func (c *BoltCache) Put(zk zone.PublicKey, label string, recs []record.Record, expires time.Time) {
	rdata, err := record.MarshalSet(recs)
	if err != nil {
		return
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(rdata)), zone.MicrosFromTime(expires))
	v = append(v, rdata...)
	c.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(CacheBucket)).Put(boltKey(zk, label), v)
	})
}

// Prune deletes the entries that expired at now and returns how many.
// The daemon calls it from time to time.
func (c *BoltCache) Prune(now time.Time) (int, error) {
	n := 0
	err := c.db.Update(func(tx *bolt.Tx) error {
		cur := tx.Bucket([]byte(CacheBucket)).Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if len(v) < 8 || !zone.TimeFromMicros(binary.BigEndian.Uint64(v)).After(now) {
				if err := cur.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
