package resolver

import (
	"time"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// Cache keeps the decrypted record sets of verified blocks until the
// blocks expire, so a repeated lookup needs neither the DHT nor any
// cryptography. Implementations are called on the loop.
type Cache interface {
	// Get returns the record set of label in zk if an unexpired entry
	// exists at now.
	Get(zk zone.PublicKey, label string, now time.Time) ([]record.Record, bool)
	// Put stores the record set of a block that expires at expires.
	Put(zk zone.PublicKey, label string, recs []record.Record, expires time.Time)
}

// DefaultMemCacheSize bounds the in-memory cache in entries.
const DefaultMemCacheSize = 10000

// MemCache is a Cache in memory with a bound on its entries, for
// simulations and tests. When full, it drops the entry that expires first.
type MemCache struct {
	max     int
	entries map[cacheKey]memEntry
}

type cacheKey struct {
	zone  zone.PublicKey
	label string
}

type memEntry struct {
	recs    []record.Record
	expires time.Time
}

// NewMemCache returns an empty cache of at most max entries.
func NewMemCache(max int) *MemCache {
	return &MemCache{max: max, entries: make(map[cacheKey]memEntry)}
}

// Get implements Cache.
func (c *MemCache) Get(zk zone.PublicKey, label string, now time.Time) ([]record.Record, bool) {
	k := cacheKey{zk, label}
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	if !e.expires.After(now) {
		delete(c.entries, k)
		return nil, false
	}
	return e.recs, true
}

// Put implements Cache.
func (c *MemCache) Put(zk zone.PublicKey, label string, recs []record.Record, expires time.Time) {
	k := cacheKey{zk, label}
	if _, ok := c.entries[k]; !ok && len(c.entries) >= c.max {
		c.evict()
	}
	c.entries[k] = memEntry{recs: recs, expires: expires}
}

// evict drops the entry that expires first. It scans all entries, which
// only happens when the cache is full.
func (c *MemCache) evict() {
	var victim cacheKey
	var first time.Time
	for k, e := range c.entries {
		if first.IsZero() || e.expires.Before(first) {
			victim, first = k, e.expires
		}
	}
	delete(c.entries, victim)
}

// Len returns the number of entries.
func (c *MemCache) Len() int { return len(c.entries) }
