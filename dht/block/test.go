package block

import (
	"crypto/sha256"
	"crypto/sha512"
	"time"
)

// TestPlugin handles TEST blocks: raw bytes under any key. The CLI stores a
// user's value under KeyForString of the user's name for it. Every distinct
// value is its own record, so a key may hold several TEST blocks.
type TestPlugin struct{}

// MaxTestSize bounds a TEST block so it fits one DHT message with a path.
const MaxTestSize = 32 * 1024

// KeyForString returns the DHT key of a TEST value named s: SHA-512(s).
func KeyForString(s string) Key { return sha512.Sum512([]byte(s)) }

func (TestPlugin) Type() Type                    { return TypeTest }
func (TestPlugin) CheckQuery(Key) error          { return nil }
func (TestPlugin) DeriveKey([]byte) (Key, error) { return Key{}, ErrNoKey }
func (TestPlugin) Unique() bool                  { return false }

func (TestPlugin) FilterKey(data []byte) [64]byte { return sha512.Sum512(data) }

// Validate accepts any non-empty value up to MaxTestSize bytes.
func (TestPlugin) Validate(_ Key, data []byte, _ time.Time) (Info, error) {
	if len(data) == 0 || len(data) > MaxTestSize {
		return Info{}, invalidf("test block has %d bytes, expected 1 to %d", len(data), MaxTestSize)
	}
	return Info{Identity: sha256.Sum256(data)}, nil
}
