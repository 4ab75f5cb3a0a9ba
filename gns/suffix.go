package gns

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hush-overlay/hush/gns/zone"
)

// DefaultSuffix is the suffix bound to the default zone.
const DefaultSuffix = "gnu"

// SuffixMap binds name suffixes (one or more labels, such as "gnu" or
// "friends.gnu") to the zones that resolution of names under them starts
// in. It is built once from configuration and read-only afterwards, so it
// may be shared between goroutines.
type SuffixMap struct {
	zones map[string]zone.PublicKey
}

// NewSuffixMap binds DefaultSuffix to def, unless def is the zero key, and
// then each entry of extra, whose values are zTLDs. An entry for
// DefaultSuffix in extra replaces the default binding.
func NewSuffixMap(def zone.PublicKey, extra map[string]string) (*SuffixMap, error) {
	m := &SuffixMap{zones: make(map[string]zone.PublicKey)}
	if !def.IsZero() {
		m.zones[DefaultSuffix] = def
	}
	for suffix, ztld := range extra {
		zk, err := zone.ParsePublicKey(ztld)
		if err != nil {
			return nil, fmt.Errorf("gns: suffix %q: %w", suffix, err)
		}
		if err := m.Bind(suffix, zk); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Bind maps suffix to zk, replacing an earlier binding. Call it only while
// building the map, before sharing it.
func (m *SuffixMap) Bind(suffix string, zk zone.PublicKey) error {
	labels, err := SplitName(strings.TrimPrefix(suffix, "."))
	if err != nil {
		return fmt.Errorf("gns: suffix %q: %w", suffix, err)
	}
	m.zones[strings.Join(labels, ".")] = zk
	return nil
}

// Lookup returns the zone bound to a normalised suffix without leading dot.
func (m *SuffixMap) Lookup(suffix string) (zone.PublicKey, bool) {
	zk, ok := m.zones[suffix]
	return zk, ok
}

// Suffixes returns the bound suffixes in sorted order.
func (m *SuffixMap) Suffixes() []string {
	out := make([]string, 0, len(m.zones))
	for s := range m.zones {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// SuffixMap builds the suffix map of the configuration: DefaultSuffix is
// bound to the default identity's zone (if there is one), and each entry
// of extra binds a suffix to a zTLD or to the name of an identity.
func (s *Identities) SuffixMap(extra map[string]string) (*SuffixMap, error) {
	var def zone.PublicKey
	if id, err := s.Default(); err == nil {
		def = id.Zone()
	} else if !errors.Is(err, ErrNoIdentity) {
		return nil, err
	}
	m, err := NewSuffixMap(def, nil)
	if err != nil {
		return nil, err
	}
	for suffix, target := range extra {
		zk, err := s.zoneOf(target)
		if err != nil {
			return nil, fmt.Errorf("gns: suffix %q: %w", suffix, err)
		}
		if err := m.Bind(suffix, zk); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// zoneOf reads target as a zTLD, or else as an identity name.
func (s *Identities) zoneOf(target string) (zone.PublicKey, error) {
	if zk, err := zone.ParsePublicKey(target); err == nil {
		return zk, nil
	}
	id, err := s.Get(target)
	if err != nil {
		return zone.PublicKey{}, fmt.Errorf("%q is neither a zTLD nor an identity: %w", target, err)
	}
	return id.Zone(), nil
}
