package gns

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/identity"
)

// Zone identities are key files in the home's zones directory, one per
// identity, as the design keeps every private key in a file of mode 0600:
//
//	zones/NAME.zkey   "hush-gns-zone-key " + Base32GNS(zone.MarshalPrivateKey) + "\n"
//	zones/default     the name of the default identity + "\n"
//
// The directory has mode 0700. Key files are written to a temporary file
// first and then linked into place, so a crash never leaves a half-written
// key and two creations of the same name cannot both succeed.

// ZonesDir is the directory of zone key files inside a peer's home.
const ZonesDir = "zones"

const (
	zoneKeyExt     = ".zkey"
	zoneKeyHeader  = "hush-gns-zone-key "
	defaultFile    = "default"
	maxIdentityLen = 63
)

// Errors returned by Identities.
var (
	ErrIdentityExists   = errors.New("gns: identity already exists")
	ErrIdentityNotFound = errors.New("gns: identity not found")
	ErrNoIdentity       = errors.New("gns: no identity exists; create one first")
)

// Identity is a named zone private key.
type Identity struct {
	Name    string
	Key     *zone.PrivateKey
	Default bool
}

// Zone returns the public zone key.
func (id Identity) Zone() zone.PublicKey { return id.Key.Public() }

// Info returns the identity without its private key, for listings.
func (id Identity) Info() IdentityInfo {
	return IdentityInfo{Name: id.Name, ZTLD: id.Zone().String(), Type: id.Key.Type().String(), Default: id.Default}
}

// IdentityInfo is the public, JSON-friendly view of an Identity.
type IdentityInfo struct {
	Name    string `json:"name"`
	ZTLD    string `json:"ztld"`
	Type    string `json:"type"`
	Default bool   `json:"default"`
}

// Identities is the store of zone identities under one home. Its methods
// work on the files directly, so they are safe to call from any goroutine
// as long as one process owns the home.
type Identities struct {
	dir string

	mu    sync.Mutex
	owned map[zone.PublicKey]string // identity names by zone; nil until loaded
}

// OpenIdentities opens the zone key directory of home, creating it with
// mode 0700 if needed.
func OpenIdentities(home string) (*Identities, error) {
	dir := filepath.Join(home, ZonesDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("gns: create zone key directory: %w", err)
	}
	return &Identities{dir: dir}, nil
}

// CheckIdentityName returns an error unless name is 1 to 63 characters of
// lower-case letters, digits, '-' and '_', not starting with '-'.
func CheckIdentityName(name string) error {
	if name == "" || len(name) > maxIdentityLen || name[0] == '-' {
		return fmt.Errorf("gns: invalid identity name %q: use 1 to %d characters, not starting with '-'", name, maxIdentityLen)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("gns: invalid identity name %q: character %q; use a-z, 0-9, '-' and '_'", name, c)
		}
	}
	return nil
}

// Create makes a new identity with a fresh key of type typ drawn from
// rand. The first identity becomes the default.
func (s *Identities) Create(name string, typ zone.KeyType, rand io.Reader) (Identity, error) {
	if err := CheckIdentityName(name); err != nil {
		return Identity{}, err
	}
	key, err := generateZoneKey(typ, rand)
	if err != nil {
		return Identity{}, err
	}
	if err := s.writeKey(name, key); err != nil {
		return Identity{}, err
	}
	s.forgetOwned()
	def, err := s.defaultName()
	if err != nil {
		return Identity{}, err
	}
	if def == "" {
		if err := s.SetDefault(name); err != nil {
			return Identity{}, err
		}
		def = name
	}
	return Identity{Name: name, Key: key, Default: def == name}, nil
}

func generateZoneKey(typ zone.KeyType, rand io.Reader) (*zone.PrivateKey, error) {
	switch typ {
	case zone.TypeEDKEY:
		return zone.GenerateEDKEY(rand)
	case zone.TypePKEY:
		return zone.GeneratePKEY(rand)
	}
	return nil, fmt.Errorf("gns: unknown zone type %s; use PKEY or EDKEY", typ)
}

// writeKey stores key under name, failing with ErrIdentityExists if the
// name is taken.
func (s *Identities) writeKey(name string, key *zone.PrivateKey) error {
	text := zoneKeyHeader + identity.Base32Encode(zone.MarshalPrivateKey(key)) + "\n"
	tmp, err := os.CreateTemp(s.dir, ".new-*")
	if err != nil {
		return fmt.Errorf("gns: write zone key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, text); err != nil {
		return fmt.Errorf("gns: write zone key: %w", err)
	}
	err = os.Link(tmp.Name(), s.keyPath(name))
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %q", ErrIdentityExists, name)
	}
	if err != nil {
		return fmt.Errorf("gns: write zone key: %w", err)
	}
	return nil
}

func writeAndClose(f *os.File, text string) error {
	_, err := f.WriteString(text)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func (s *Identities) keyPath(name string) string {
	return filepath.Join(s.dir, name+zoneKeyExt)
}

// Get loads one identity.
func (s *Identities) Get(name string) (Identity, error) {
	if err := CheckIdentityName(name); err != nil {
		return Identity{}, err
	}
	key, err := s.readKey(name)
	if err != nil {
		return Identity{}, err
	}
	def, err := s.defaultName()
	if err != nil {
		return Identity{}, err
	}
	return Identity{Name: name, Key: key, Default: def == name}, nil
}

// readKey loads a key file, refusing one that group or others may read.
func (s *Identities) readKey(name string) (*zone.PrivateKey, error) {
	path := s.keyPath(name)
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q", ErrIdentityNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("gns: read zone key: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("gns: zone key %s has mode %04o, which lets others read it; run chmod 600 %s", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gns: read zone key: %w", err)
	}
	text, ok := strings.CutPrefix(strings.TrimSpace(string(data)), zoneKeyHeader)
	if !ok {
		return nil, fmt.Errorf("gns: zone key %s does not start with %q", path, zoneKeyHeader)
	}
	key, err := zone.ParsePrivateKeyText(text)
	if err != nil {
		return nil, fmt.Errorf("gns: zone key %s: %w", path, err)
	}
	return key, nil
}

// List returns all identities sorted by name.
func (s *Identities) List() ([]Identity, error) {
	names, err := s.names()
	if err != nil {
		return nil, err
	}
	def, err := s.defaultName()
	if err != nil {
		return nil, err
	}
	out := make([]Identity, 0, len(names))
	for _, name := range names {
		key, err := s.readKey(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Identity{Name: name, Key: key, Default: name == def})
	}
	return out, nil
}

// names returns the names of all key files, sorted.
func (s *Identities) names() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("gns: list zone keys: %w", err)
	}
	var names []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), zoneKeyExt)
		if ok && CheckIdentityName(name) == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// ByZone returns the identity whose public zone key is zk.
func (s *Identities) ByZone(zk zone.PublicKey) (Identity, error) {
	all, err := s.List()
	if err != nil {
		return Identity{}, err
	}
	for _, id := range all {
		if id.Zone().Equal(zk) {
			return id, nil
		}
	}
	return Identity{}, fmt.Errorf("%w: no identity owns zone %s", ErrIdentityNotFound, zk)
}

// Delete removes an identity and its key file. The key is gone for good.
// When the default identity is deleted, the first remaining identity by
// name becomes the default.
func (s *Identities) Delete(name string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	if err := os.Remove(s.keyPath(name)); err != nil {
		return fmt.Errorf("gns: delete zone key: %w", err)
	}
	s.forgetOwned()
	def, err := s.defaultName()
	if err != nil || def != "" {
		return err
	}
	names, err := s.names()
	if err != nil || len(names) == 0 {
		return err
	}
	return s.SetDefault(names[0])
}

// SetDefault makes name the default identity, the zone of ".gnu".
func (s *Identities) SetDefault(name string) error {
	if _, err := s.readKey(name); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dir, ".new-*")
	if err != nil {
		return fmt.Errorf("gns: set default identity: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeAndClose(tmp, name+"\n"); err != nil {
		return fmt.Errorf("gns: set default identity: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, defaultFile)); err != nil {
		return fmt.Errorf("gns: set default identity: %w", err)
	}
	return nil
}

// Default returns the default identity, or ErrNoIdentity when there is
// none.
func (s *Identities) Default() (Identity, error) {
	def, err := s.defaultName()
	if err != nil {
		return Identity{}, err
	}
	if def == "" {
		return Identity{}, ErrNoIdentity
	}
	return s.Get(def)
}

// defaultName returns the default identity's name, or "" when no default
// is set or its key file is gone.
func (s *Identities) defaultName() (string, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, defaultFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("gns: read default identity: %w", err)
	}
	name := strings.TrimSpace(string(data))
	if CheckIdentityName(name) != nil {
		return "", nil
	}
	if _, err := os.Stat(s.keyPath(name)); err != nil {
		return "", nil
	}
	return name, nil
}

// Owns reports whether one of the identities has zone key zk. It reads the
// key files once and serves later calls from memory until Create or
// Delete.
func (s *Identities) Owns(zk zone.PublicKey) bool {
	_, ok := s.ownerName(zk)
	return ok
}

// ZoneKey returns the private key of zone zk, as publisher.KeyFunc expects.
func (s *Identities) ZoneKey(zk zone.PublicKey) (*zone.PrivateKey, error) {
	name, ok := s.ownerName(zk)
	if !ok {
		return nil, fmt.Errorf("%w: no identity owns zone %s", ErrIdentityNotFound, zk)
	}
	return s.readKey(name)
}

func (s *Identities) ownerName(zk zone.PublicKey) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owned == nil {
		all, err := s.List()
		if err != nil {
			return "", false
		}
		s.owned = make(map[zone.PublicKey]string, len(all))
		for _, id := range all {
			s.owned[id.Zone()] = id.Name
		}
	}
	name, ok := s.owned[zk]
	return name, ok
}

func (s *Identities) forgetOwned() {
	s.mu.Lock()
	s.owned = nil
	s.mu.Unlock()
}
