// Package block defines DHT block types and the plugin interface that checks
// queries, derives keys, validates blocks and deduplicates results for one
// block type. The DHT drops any block its plugin rejects at every hop, so an
// invalid block is never stored or forwarded.
package block

import (
	"crypto/sha512"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// KeySize is the size of a DHT key: a SHA-512 value, as GNS queries are.
const KeySize = 64

// Key is a DHT key.
type Key [KeySize]byte

// Type is a block type number. The numbers follow GNUnet's block type
// registry where a GNUnet type exists.
type Type uint32

// Block types known to hush.
const (
	// TypeAny matches every type in a GET.
	TypeAny Type = 0
	// TypeTest is raw data stored under the SHA-512 of a user string.
	TypeTest Type = 8
	// TypeGNS is a GNS record block (GNUnet's GNS_NAMERECORD). The gns
	// package provides its plugin.
	TypeGNS Type = 11
	// TypeHello is a peer's signed HELLO.
	TypeHello Type = 7
)

func (t Type) String() string {
	switch t {
	case TypeAny:
		return "any"
	case TypeTest:
		return "test"
	case TypeGNS:
		return "gns"
	case TypeHello:
		return "hello"
	}
	return "type-" + strconv.FormatUint(uint64(t), 10)
}

// Errors that plugins wrap.
var (
	ErrInvalidBlock = errors.New("invalid block")
	ErrInvalidQuery = errors.New("invalid query")
	ErrExpired      = errors.New("block expired")
	// ErrNoKey is returned by DeriveKey when the block type cannot derive
	// the key from the block alone.
	ErrNoKey = errors.New("key cannot be derived from the block")
)

// Info is what a plugin learns from a valid block.
type Info struct {
	// Expires is when the block itself expires; zero if the block carries
	// no expiry, in which case the message expiry applies.
	Expires time.Time
	// Identity names the record the block is a version of, among blocks
	// with the same key and type. A datastore never replaces a block by a
	// block of the same identity that expires earlier.
	Identity [32]byte
}

// Plugin handles one block type. Its methods are pure and are called on the
// peer's loop.
type Plugin interface {
	// Type returns the block type the plugin handles.
	Type() Type
	// CheckQuery returns an error wrapping ErrInvalidQuery if no block of
	// this type can be stored under key.
	CheckQuery(key Key) error
	// DeriveKey returns the key a block must be stored under, or ErrNoKey
	// if the type cannot derive it.
	DeriveKey(data []byte) (Key, error)
	// Validate checks data as a block stored under key at time now. It
	// returns an error wrapping ErrInvalidBlock or ErrExpired.
	Validate(key Key, data []byte, now time.Time) (Info, error)
	// FilterKey returns the value that result filters record for data, so
	// that two blocks with the same filter key count as duplicates.
	FilterKey(data []byte) [64]byte
	// Unique reports whether a key holds at most one current block of this
	// type, so that a GET may stop at the first valid result.
	Unique() bool
}

// Registry maps block types to plugins.
type Registry struct {
	plugins map[Type]Plugin
}

// NewRegistry returns a registry with the TEST and HELLO plugins.
func NewRegistry() *Registry {
	r := &Registry{plugins: make(map[Type]Plugin)}
	r.Register(TestPlugin{})
	r.Register(NewHelloPlugin())
	return r
}

// Register adds or replaces the plugin for p.Type().
func (r *Registry) Register(p Plugin) { r.plugins[p.Type()] = p }

// Lookup returns the plugin for t.
func (r *Registry) Lookup(t Type) (Plugin, bool) {
	p, ok := r.plugins[t]
	return p, ok
}

// Check validates data as a block of type t under key with its registered
// plugin. A block whose key the plugin can derive must carry that key.
func (r *Registry) Check(t Type, key Key, data []byte, now time.Time) (Info, error) {
	p, ok := r.plugins[t]
	if !ok {
		return Info{}, fmt.Errorf("block: %w: no plugin for type %s", ErrInvalidBlock, t)
	}
	derived, err := p.DeriveKey(data)
	if err == nil && derived != key {
		return Info{}, fmt.Errorf("block: %w: %s block stored under the wrong key", ErrInvalidBlock, t)
	}
	if err != nil && !errors.Is(err, ErrNoKey) {
		return Info{}, err
	}
	return p.Validate(key, data, now)
}

// HashData returns SHA-512 of data.
func HashData(data []byte) [64]byte { return sha512.Sum512(data) }
