// Package store opens a peer's bbolt database, hush.db. Each subsystem keeps
// its data in top-level buckets of its own (peers, dht, namestore, ...), so
// one file holds a peer's whole state and bbolt's file lock keeps a second
// daemon away from a home in use.
package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the database file inside a peer's home.
const FileName = "hush.db"

// lockTimeout is how long Open waits for another process's file lock. It is
// short because a locked database means another daemon owns the home.
const lockTimeout = 500 * time.Millisecond

// ErrLocked is returned when another process holds the database.
var ErrLocked = errors.New("store: database is locked by another process")

// Open opens or creates the database at path with mode 0600.
func Open(path string) (*bolt.DB, error) {
	db, err := openBolt(path)
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (is another hush daemon running on this home?)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := check(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %s: %v; move it away (the daemon starts with an empty database) or restore a backup", ErrCorrupt, path, err)
	}
	return db, nil
}

// ErrCorrupt is returned when the database fails its consistency check.
var ErrCorrupt = errors.New("store: database is corrupted")

// check reads every bucket and key of the database once, so that a damaged
// file is reported at start instead of panicking inside bbolt later.
// bbolt reports damaged pages by panicking, so panics become errors; the
// walk runs on this goroutine so that recover catches them.
func check(db *bolt.DB) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walk(b) })
	})
}

func walk(b *bolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if nested := b.Bucket(k); nested != nil {
				return walk(nested)
			}
		}
		return nil
	})
}

// openBolt opens the file, turning a panic on a damaged meta or freelist
// page into an error.
func openBolt(path string) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s: %v; move it away (the daemon starts with an empty database) or restore a backup", ErrCorrupt, path, r)
		}
	}()
	return bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
}
