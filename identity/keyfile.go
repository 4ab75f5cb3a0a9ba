package identity

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyFileHeader starts every key file, so a wrong file is recognised.
const keyFileHeader = "hush-ed25519-seed "

// ErrKeyFileMode is returned when a key file can be read by group or others.
var ErrKeyFileMode = errors.New("key file is readable by group or others")

// LoadKeyFile reads a peer key. It refuses a file whose mode lets the group
// or others read or write it, because the key is the peer's identity.
func LoadKeyFile(path string) (*PrivateKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("identity: %s has mode %04o: %w; run chmod 600 %s", path, info.Mode().Perm(), ErrKeyFileMode, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	text := strings.TrimSpace(string(data))
	if !strings.HasPrefix(text, keyFileHeader) {
		return nil, fmt.Errorf("identity: %s is not a hush key file (missing %q header)", path, strings.TrimSpace(keyFileHeader))
	}
	seed, err := hex.DecodeString(strings.TrimPrefix(text, keyFileHeader))
	if err != nil {
		return nil, fmt.Errorf("identity: %s: invalid key encoding: %v", path, err)
	}
	return NewKeyFromSeed(seed)
}

// SaveKeyFile writes k to path with mode 0600. It fails if the file exists,
// so an identity is never overwritten by accident.
func SaveKeyFile(path string, k *PrivateKey) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("identity: %s already exists; remove it first to make a new identity", path)
	}
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	_, werr := fmt.Fprintf(f, "%s%s\n", keyFileHeader, hex.EncodeToString(k.Seed()))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return fmt.Errorf("identity: write %s: %w", path, err)
	}
	return nil
}

// LoadOrCreateKeyFile loads the key at path, or makes and saves a new one
// when no file exists.
func LoadOrCreateKeyFile(path string) (*PrivateKey, bool, error) {
	k, err := LoadKeyFile(path)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	k, err = GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	if err := SaveKeyFile(path, k); err != nil {
		return nil, false, err
	}
	return k, true, nil
}
