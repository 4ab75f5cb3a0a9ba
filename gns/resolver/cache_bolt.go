package resolver

import (
	"encoding/binary"
	"fmt"
	"sync"
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
// Put does not write on the caller's goroutine, the peer's loop, because a
// bbolt commit waits for fsync. It queues the entry, and a writer goroutine
// commits all queued entries in one transaction. Get reads queued entries
// first. Call Close to write the queue and stop the writer.
//
// The cache holds decrypted records of zones the user looked up, so the
// database reveals what was resolved; it lives next to the user's keys.
type BoltCache struct {
	db      *bolt.DB
	mu      sync.Mutex
	pending map[string][]byte // queued values by key, guarded by mu
	// flushing holds the batch the writer is committing, guarded by mu,
	// so that Get finds an entry between its removal from pending and
	// the end of the commit.
	flushing  map[string][]byte
	wake      chan struct{} // signals the writer, capacity 1
	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// maxPendingWrites bounds the queue of Put. Entries beyond it are dropped,
// which only costs a later DHT lookup.
const maxPendingWrites = 4096

// OpenBoltCache creates the cache bucket if needed and starts the writer.
func OpenBoltCache(db *bolt.DB) (*BoltCache, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(CacheBucket))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("resolver: create cache bucket: %w", err)
	}
	c := &BoltCache{
		db:      db,
		pending: make(map[string][]byte),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go c.writer()
	return c, nil
}

// Close writes the queued entries and stops the writer. Call it before
// closing the database. Entries put after Close stay in memory only.
func (c *BoltCache) Close() error {
	c.closeOnce.Do(func() { close(c.stop) })
	<-c.stopped
	return nil
}

func (c *BoltCache) writer() {
	defer close(c.stopped)
	for {
		select {
		case <-c.wake:
			c.flush()
		case <-c.stop:
			c.flush()
			return
		}
	}
}

// flush commits the queued entries in one transaction. A failed commit
// only loses cache entries.
func (c *BoltCache) flush() {
	c.mu.Lock()
	batch := c.pending
	c.pending = make(map[string][]byte)
	c.flushing = batch
	c.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	defer func() {
		c.mu.Lock()
		c.flushing = nil
		c.mu.Unlock()
	}()
	c.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(CacheBucket))
		for k, v := range batch {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}

func boltKey(zk zone.PublicKey, label string) []byte {
	return append(zk.ID(), label...)
}

// Get implements Cache. Expired entries are ignored here and removed by
// Prune.
func (c *BoltCache) Get(zk zone.PublicKey, label string, now time.Time) ([]record.Record, bool) {
	key := boltKey(zk, label)
	c.mu.Lock()
	v, queued := c.pending[string(key)]
	if !queued {
		v, queued = c.flushing[string(key)]
	}
	c.mu.Unlock()
	if queued {
		return decodeCacheValue(v, now)
	}
	var recs []record.Record
	found := false
	c.db.View(func(tx *bolt.Tx) error {
		recs, found = decodeCacheValue(tx.Bucket([]byte(CacheBucket)).Get(key), now)
		return nil
	})
	return recs, found
}

// decodeCacheValue returns the records of an unexpired cache value.
func decodeCacheValue(v []byte, now time.Time) ([]record.Record, bool) {
	if len(v) < 8 || !zone.TimeFromMicros(binary.BigEndian.Uint64(v)).After(now) {
		return nil, false
	}
	recs, err := record.ParseSet(v[8:])
	if err != nil {
		return nil, false
	}
	if recs == nil {
		recs = []record.Record{}
	}
	return recs, true
}

// Put implements Cache by queueing the entry for the writer.
func (c *BoltCache) Put(zk zone.PublicKey, label string, recs []record.Record, expires time.Time) {
	rdata, err := record.MarshalSet(recs)
	if err != nil {
		return
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(rdata)), zone.MicrosFromTime(expires))
	v = append(v, rdata...)
	c.mu.Lock()
	if len(c.pending) < maxPendingWrites {
		c.pending[string(boltKey(zk, label))] = v
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
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
