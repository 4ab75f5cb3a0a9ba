package datastore

import (
	"bytes"
	"slices"
	"time"

	"github.com/hush-overlay/hush/dht/block"
)

// Memory is an in-memory Datastore.
type Memory struct {
	quota   int64
	used    int64
	records map[rowID]*Record
	// order holds every record sorted by expiry, soonest first.
	order []expiryEntry
}

var _ Datastore = (*Memory)(nil)

// NewMemory returns an empty store holding at most quota bytes.
func NewMemory(quota int64) (*Memory, error) {
	if quota <= 0 {
		return nil, ErrQuotaTooSmall
	}
	return &Memory{quota: quota, records: make(map[rowID]*Record)}, nil
}

// Put implements Datastore.
func (m *Memory) Put(now time.Time, r Record) (bool, error) {
	if expired(&r, now) || r.Size() > m.quota {
		return false, nil
	}
	id := idOf(&r)
	if old, ok := m.records[id]; ok {
		if !r.Expires.After(old.Expires) {
			return false, nil
		}
		m.remove(id)
	}
	if !m.makeRoom(entryOf(&r), r.Size()) {
		return false, nil
	}
	m.insert(r)
	return true, nil
}

// makeRoom evicts the soonest-expiring records until size more bytes fit,
// but never a record that expires after e. It reports whether room was made.
func (m *Memory) makeRoom(e expiryEntry, size int64) bool {
	for m.used+size > m.quota {
		if len(m.order) == 0 || !m.order[0].less(e) {
			return false
		}
		m.remove(m.order[0].id)
	}
	return true
}

func (m *Memory) insert(r Record) {
	r.Data = append([]byte(nil), r.Data...)
	e := entryOf(&r)
	m.records[e.id] = &r
	i, _ := slices.BinarySearchFunc(m.order, e, compareEntries)
	m.order = slices.Insert(m.order, i, e)
	m.used += r.Size()
}

func (m *Memory) remove(id rowID) {
	r := m.records[id]
	e := entryOf(r)
	if i, ok := slices.BinarySearchFunc(m.order, e, compareEntries); ok {
		m.order = slices.Delete(m.order, i, i+1)
	}
	delete(m.records, id)
	m.used -= r.Size()
}

func compareEntries(a, b expiryEntry) int {
	if a.less(b) {
		return -1
	}
	if b.less(a) {
		return 1
	}
	return 0
}

// Get implements Datastore. Records are visited in row ID order.
func (m *Memory) Get(key block.Key, typ block.Type, now time.Time, fn func(Record) bool) error {
	p := prefix(key, typ)
	var ids []rowID
	for id := range m.records {
		if bytes.HasPrefix(id[:], p) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b rowID) int { return bytes.Compare(a[:], b[:]) })
	for _, id := range ids {
		r := m.records[id]
		if !expired(r, now) && !fn(*r) {
			break
		}
	}
	return nil
}

// Sweep implements Datastore.
func (m *Memory) Sweep(now time.Time) (int, error) {
	n := 0
	for len(m.order) > 0 && expired(m.records[m.order[0].id], now) {
		m.remove(m.order[0].id)
		n++
	}
	return n, nil
}

// Stats implements Datastore.
func (m *Memory) Stats() Stats { return Stats{Records: len(m.records), Bytes: m.used} }
