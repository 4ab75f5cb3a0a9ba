// Package namestore keeps the records of the user's own zones in the
// peer's bbolt database, bucket "namestore".
//
// Layout: the bucket holds one nested bucket per zone, named by the zone ID
// (zone type and key, 36 bytes). Inside, each key is a normalised label and
// its value the label's record set in the encoding of codec.go. Every
// command runs in one bbolt transaction, so a failed command changes
// nothing. After each committed change the store calls its watchers, which
// is how the publisher learns what to publish again.
package namestore

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/zone"
)

// BucketName is the top-level bbolt bucket of the namestore.
const BucketName = "namestore"

// Errors for conditions callers handle.
var (
	ErrNotFound  = errors.New("namestore: no matching record")
	ErrDuplicate = errors.New("namestore: record already exists")
)

// Change names a label whose record set was committed.
type Change struct {
	Zone  zone.PublicKey
	Label string
}

// Store is the namestore. It is safe for concurrent use: bbolt serialises
// writers, and watchers are called after commit on the writer's goroutine.
type Store struct {
	db       *bolt.DB
	mu       sync.Mutex
	watchers []func(Change)
}

// Open creates the namestore bucket if needed.
func Open(db *bolt.DB) (*Store, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists([]byte(BucketName))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("namestore: create bucket: %w", err)
	}
	return &Store{db: db}, nil
}

// Watch registers fn to be called after every committed change, on the
// goroutine that made it. fn must not block; a peer loop posts the work to
// itself (see publisher).
func (s *Store) Watch(fn func(Change)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
}

func (s *Store) notify(changes []Change) {
	s.mu.Lock()
	watchers := slices.Clone(s.watchers)
	s.mu.Unlock()
	for _, c := range changes {
		for _, fn := range watchers {
			fn(c)
		}
	}
}

// Lookup returns the record set of one label, or nil when it has none.
func (s *Store) Lookup(zk zone.PublicKey, label string) ([]Record, error) {
	label, err := gns.NormalizeLabel(label)
	if err != nil {
		return nil, fmt.Errorf("namestore: %w", err)
	}
	var out []Record
	err = s.db.View(func(tx *bolt.Tx) error {
		zb := zoneBucket(tx, zk)
		if zb == nil {
			return nil
		}
		out, err = decodeSet(zb.Get([]byte(label)))
		return err
	})
	return out, err
}

// LabelSet is the record set of one label.
type LabelSet struct {
	Label   string
	Records []Record
}

// List returns every label of zone zk with its records, sorted by label.
func (s *Store) List(zk zone.PublicKey) ([]LabelSet, error) {
	var out []LabelSet
	err := s.db.View(func(tx *bolt.Tx) error {
		zb := zoneBucket(tx, zk)
		if zb == nil {
			return nil
		}
		return zb.ForEach(func(k, v []byte) error {
			recs, err := decodeSet(v)
			if err != nil {
				return fmt.Errorf("label %q: %w", k, err)
			}
			out = append(out, LabelSet{Label: string(k), Records: recs})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("namestore: list zone %s: %w", zk, err)
	}
	return out, nil
}

// Zones returns the zones that have at least one label.
func (s *Store) Zones() ([]zone.PublicKey, error) {
	var out []zone.PublicKey
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(BucketName)).ForEachBucket(func(k []byte) error {
			zk, err := zone.ParseID(k)
			if err == nil {
				out = append(out, zk)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, err
}

func zoneBucket(tx *bolt.Tx, zk zone.PublicKey) *bolt.Bucket {
	return tx.Bucket([]byte(BucketName)).Bucket(zk.ID())
}

// update runs fn on the zone's bucket in one write transaction and notifies
// the watchers of the labels that fn reports as changed.
func (s *Store) update(zk zone.PublicKey, fn func(zb *bolt.Bucket) ([]string, error)) error {
	var labels []string
	err := s.db.Update(func(tx *bolt.Tx) error {
		zb, err := tx.Bucket([]byte(BucketName)).CreateBucketIfNotExists(zk.ID())
		if err != nil {
			return err
		}
		labels, err = fn(zb)
		return err
	})
	if err != nil {
		return err
	}
	changes := make([]Change, len(labels))
	for i, l := range labels {
		changes[i] = Change{Zone: zk, Label: l}
	}
	s.notify(changes)
	return nil
}
