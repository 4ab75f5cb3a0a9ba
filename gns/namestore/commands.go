package namestore

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// Add adds recs to the record set of label in zone zk. It fails with
// ErrDuplicate when a record of the same type and data exists, and leaves
// the set unchanged when the result would break a record set rule (see
// CheckSet).
func (s *Store) Add(zk zone.PublicKey, label string, recs ...Record) error {
	label, err := gns.NormalizeLabel(label)
	if err != nil {
		return fmt.Errorf("namestore: %w", err)
	}
	return s.update(zk, func(zb *bolt.Bucket) ([]string, error) {
		set, err := decodeSet(zb.Get([]byte(label)))
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if indexOf(set, r) >= 0 {
				return nil, fmt.Errorf("%w: %s %s record under %q", ErrDuplicate, r.Type, dataSummary(r), label)
			}
			set = append(set, r)
		}
		return []string{label}, putSet(zb, label, set)
	})
}

// Match selects records for Delete. A zero Type matches every type and a
// nil Data every value.
type Match struct {
	Type Type
	Data []byte
}

func (m Match) matches(r Record) bool {
	return (m.Type == 0 || m.Type == r.Type) && (m.Data == nil || bytes.Equal(m.Data, r.Data))
}

// Delete removes the records of label that m selects and returns how many
// it removed. It fails with ErrNotFound when none match.
func (s *Store) Delete(zk zone.PublicKey, label string, m Match) (int, error) {
	label, err := gns.NormalizeLabel(label)
	if err != nil {
		return 0, fmt.Errorf("namestore: %w", err)
	}
	removed := 0
	err = s.update(zk, func(zb *bolt.Bucket) ([]string, error) {
		set, err := decodeSet(zb.Get([]byte(label)))
		if err != nil {
			return nil, err
		}
		kept := set[:0]
		for _, r := range set {
			if !m.matches(r) {
				kept = append(kept, r)
			}
		}
		removed = len(set) - len(kept)
		if removed == 0 {
			return nil, fmt.Errorf("%w under %q in zone %s", ErrNotFound, label, zk)
		}
		return []string{label}, putSet(zb, label, kept)
	})
	return removed, err
}

// Replace sets the whole record set of label; an empty recs deletes it.
func (s *Store) Replace(zk zone.PublicKey, label string, recs []Record) error {
	label, err := gns.NormalizeLabel(label)
	if err != nil {
		return fmt.Errorf("namestore: %w", err)
	}
	return s.update(zk, func(zb *bolt.Bucket) ([]string, error) {
		return []string{label}, putSet(zb, label, recs)
	})
}

// putSet checks and writes a label's record set, deleting the label when
// the set is empty.
func putSet(zb *bolt.Bucket, label string, set []Record) error {
	if len(set) == 0 {
		return zb.Delete([]byte(label))
	}
	if err := CheckSet(label, set); err != nil {
		return err
	}
	return zb.Put([]byte(label), encodeSet(set))
}

func indexOf(set []Record, r Record) int {
	for i, x := range set {
		if x.Type == r.Type && bytes.Equal(x.Data, r.Data) {
			return i
		}
	}
	return -1
}

func dataSummary(r Record) string {
	if text, err := record.FormatValue(r.Type, r.Data); err == nil {
		return fmt.Sprintf("%q", text)
	}
	return fmt.Sprintf("of %d bytes", len(r.Data))
}

// DeleteZone removes every label of zone zk in one transaction and returns
// how many. Call it before deleting the zone's identity, so the publisher
// can still sign the withdrawals of the zone's labels.
func (s *Store) DeleteZone(zk zone.PublicKey) (int, error) {
	var changes []Change
	err := s.db.Update(func(tx *bolt.Tx) error {
		zb := zoneBucket(tx, zk)
		if zb == nil {
			return nil
		}
		zb.ForEach(func(k, _ []byte) error {
			changes = append(changes, Change{Zone: zk, Label: string(k)})
			return nil
		})
		return tx.Bucket([]byte(BucketName)).DeleteBucket(zk.ID())
	})
	if err != nil {
		return 0, fmt.Errorf("namestore: delete zone %s: %w", zk, err)
	}
	s.notify(changes)
	return len(changes), nil
}
