package core

import (
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// ErrPeerNotFound is returned by PeerStore.Get for an unknown peer.
var ErrPeerNotFound = errors.New("core: peer not found")

// PeerStore keeps the verified HELLOs of known peers. CORE calls it on the
// loop. Only verified HELLOs may be put, and a stored HELLO is replaced only
// by a newer one of the same peer (hello.Hello.Newer).
type PeerStore interface {
	// Put stores h if it is newer than the stored HELLO of its peer and
	// reports whether it did.
	Put(h *hello.Hello) (bool, error)
	// Get returns the stored HELLO of peer, expired or not, or
	// ErrPeerNotFound.
	Get(peer identity.PeerID) (*hello.Hello, error)
	// All returns every stored HELLO in peer ID order.
	All() ([]*hello.Hello, error)
	// Expire deletes the HELLOs expired at now and returns how many.
	Expire(now time.Time) (int, error)
}

// MemPeerStore is a PeerStore in memory, for simulation and tests.
type MemPeerStore struct {
	hellos map[identity.PeerID]*hello.Hello
}

var _ PeerStore = (*MemPeerStore)(nil)

// NewMemPeerStore returns an empty in-memory peer store.
func NewMemPeerStore() *MemPeerStore {
	return &MemPeerStore{hellos: make(map[identity.PeerID]*hello.Hello)}
}

func (m *MemPeerStore) Put(h *hello.Hello) (bool, error) {
	if !h.Newer(m.hellos[h.Peer]) {
		return false, nil
	}
	m.hellos[h.Peer] = h
	return true, nil
}

func (m *MemPeerStore) Get(peer identity.PeerID) (*hello.Hello, error) {
	h, ok := m.hellos[peer]
	if !ok {
		return nil, ErrPeerNotFound
	}
	return h, nil
}

func (m *MemPeerStore) All() ([]*hello.Hello, error) {
	out := make([]*hello.Hello, 0, len(m.hellos))
	for _, h := range m.hellos {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Peer.Compare(out[j].Peer) < 0 })
	return out, nil
}

func (m *MemPeerStore) Expire(now time.Time) (int, error) {
	n := 0
	for id, h := range m.hellos {
		if h.Expired(now) {
			delete(m.hellos, id)
			n++
		}
	}
	return n, nil
}

// peersBucket is the bbolt bucket of BoltPeerStore: key the 32-byte peer ID,
// value the encoded HELLO.
var peersBucket = []byte("peers")

// BoltPeerStore is a PeerStore in the peer's bbolt database. Each call is
// one bbolt transaction, so it blocks the loop for a disk write on Put;
// HELLOs change rarely.
type BoltPeerStore struct {
	db *bolt.DB
}

var _ PeerStore = (*BoltPeerStore)(nil)

// NewBoltPeerStore creates the peers bucket in db if needed.
func NewBoltPeerStore(db *bolt.DB) (*BoltPeerStore, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(peersBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("core: create peers bucket: %w", err)
	}
	return &BoltPeerStore{db: db}, nil
}

// Put checks in a read-only transaction first, so a peer that reconnects
// with the HELLO already stored costs no disk write.
func (s *BoltPeerStore) Put(h *hello.Hello) (bool, error) {
	if old, err := s.Get(h.Peer); err == nil && !h.Newer(old) {
		return false, nil
	}
	stored := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(peersBucket)
		old, err := decodeStored(b.Get(h.Peer[:]))
		if err != nil || !h.Newer(old) {
			return err
		}
		stored = true
		return b.Put(h.Peer[:], h.Marshal())
	})
	if err != nil {
		return false, fmt.Errorf("core: store HELLO of %s: %w", h.Peer.Short(), err)
	}
	return stored, nil
}

func (s *BoltPeerStore) Get(peer identity.PeerID) (*hello.Hello, error) {
	var h *hello.Hello
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		h, err = decodeStored(tx.Bucket(peersBucket).Get(peer[:]))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("core: load HELLO of %s: %w", peer.Short(), err)
	}
	if h == nil {
		return nil, ErrPeerNotFound
	}
	return h, nil
}

// All returns the stored HELLOs in key order, which is peer ID order.
func (s *BoltPeerStore) All() ([]*hello.Hello, error) {
	var out []*hello.Hello
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(peersBucket).ForEach(func(_, v []byte) error {
			h, err := decodeStored(v)
			if err != nil {
				return err
			}
			out = append(out, h)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("core: load HELLOs: %w", err)
	}
	return out, nil
}

func (s *BoltPeerStore) Expire(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(peersBucket)
		var expired [][]byte
		err := b.ForEach(func(k, v []byte) error {
			if h, err := decodeStored(v); err == nil && h.Expired(now) {
				expired = append(expired, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("core: expire HELLOs: %w", err)
	}
	return n, nil
}

// decodeStored parses a stored HELLO; nil means none. The signature is
// verified again, so a corrupted file cannot inject an address.
func decodeStored(v []byte) (*hello.Hello, error) {
	if v == nil {
		return nil, nil
	}
	return hello.Parse(v)
}
