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
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (is another hush daemon running on this home?)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return db, nil
}
