// Package gnsblock is the DHT block plugin for GNS record blocks (RFC 9498
// RRBLOCKs, DHT block type 11 as in GNUnet). Every DHT hop uses it to drop
// blocks that do not parse, are not signed by the derived zone key, are not
// stored under their own query, or have expired.
package gnsblock

import (
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/gns/zone"
)

// Plugin implements block.Plugin for GNS blocks.
type Plugin struct{}

var _ block.Plugin = Plugin{}

// Type implements block.Plugin.
func (Plugin) Type() block.Type { return block.TypeGNS }

// CheckQuery accepts every key: a query is a SHA-512 value and any value
// may be one.
func (Plugin) CheckQuery(block.Key) error { return nil }

// Unique reports true: a label of a zone has one current block, so a GET
// may stop at the first valid one.
func (Plugin) Unique() bool { return true }

// FilterKey implements block.Plugin.
func (Plugin) FilterKey(data []byte) [64]byte { return sha512.Sum512(data) }

// DeriveKey returns the query of the block: SHA-512 of its derived key.
func (Plugin) DeriveKey(data []byte) (block.Key, error) {
	b, err := zone.ParseBlock(data)
	if err != nil {
		return block.Key{}, fmt.Errorf("gnsblock: %w: %v", block.ErrInvalidBlock, err)
	}
	return block.Key(b.Query()), nil
}

// Validate checks the block's format, signature, query and expiration. The
// block's identity is its derived key, so a datastore keeps only the
// latest-expiring version of one label's block.
func (Plugin) Validate(key block.Key, data []byte, now time.Time) (block.Info, error) {
	b, err := zone.ParseBlock(data)
	if err != nil {
		return block.Info{}, fmt.Errorf("gnsblock: %w: %v", block.ErrInvalidBlock, err)
	}
	if block.Key(b.Query()) != key {
		return block.Info{}, fmt.Errorf("gnsblock: %w: stored under another query", block.ErrInvalidBlock)
	}
	if err := b.Verify(); err != nil {
		return block.Info{}, fmt.Errorf("gnsblock: %w: %v", block.ErrInvalidBlock, err)
	}
	if !b.Expiration.After(now) {
		return block.Info{}, fmt.Errorf("gnsblock: %w at %v", block.ErrExpired, b.Expiration)
	}
	return block.Info{Expires: b.Expiration, Identity: sha256.Sum256(b.DerivedKey.ID())}, nil
}
