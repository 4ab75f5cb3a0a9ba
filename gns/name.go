package gns

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hush-overlay/hush/gns/zone"
)

// MaxNameSize is the maximum length of a name in bytes, the DNS limit.
const MaxNameSize = 253

// ErrNotGNS is returned for names that end neither in a zTLD nor in a
// mapped suffix. Resolvers must not send such names to DNS on their own.
var ErrNotGNS = errors.New("gns: name is not in a GNS zone")

// ErrInvalidName is wrapped by errors about malformed names.
var ErrInvalidName = errors.New("gns: invalid name")

// Name is a parsed GNS name: the zone that resolution starts in and the
// labels in front of the zone's suffix or zTLD, left to right as written.
type Name struct {
	Zone   zone.PublicKey
	Labels []string
	// Suffix is the mapped suffix or the zTLD that selected Zone.
	Suffix string
}

// String returns the name as written: the labels and the suffix.
func (n Name) String() string {
	if len(n.Labels) == 0 {
		return n.Suffix
	}
	return strings.Join(n.Labels, ".") + "." + n.Suffix
}

// SplitName normalises a name and returns its labels left to right. A
// trailing dot (a DNS absolute name) is ignored. Each label is put into
// Unicode normalisation form C and lower case, so that "WWW" and "www"
// name the same records, as GNUnet's namestore does.
func SplitName(name string) ([]string, error) {
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return nil, fmt.Errorf("%w: empty name", ErrInvalidName)
	}
	if len(name) > MaxNameSize {
		return nil, fmt.Errorf("%w: %d bytes, the maximum is %d", ErrInvalidName, len(name), MaxNameSize)
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		norm, err := NormalizeLabel(l)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrInvalidName, name, err)
		}
		labels[i] = norm
	}
	return labels, nil
}

// NormalizeLabel returns the form of a label under which the namestore
// keeps it and the resolver looks it up: NFC, then lower case.
func NormalizeLabel(label string) (string, error) {
	n, err := zone.NormalizeLabel(label)
	if err != nil {
		return "", err
	}
	return strings.ToLower(n), nil
}

// ParseName parses name against the suffix map. A last label that is a
// zTLD wins over the map; otherwise the longest mapped suffix wins. It
// returns ErrNotGNS when neither applies.
func (m *SuffixMap) ParseName(name string) (Name, error) {
	labels, err := SplitName(name)
	if err != nil {
		return Name{}, err
	}
	last := labels[len(labels)-1]
	if zk, err := zone.ParsePublicKey(last); err == nil {
		return Name{Zone: zk, Labels: labels[:len(labels)-1], Suffix: zk.String()}, nil
	}
	for i := range labels {
		suffix := strings.Join(labels[i:], ".")
		if zk, ok := m.Lookup(suffix); ok {
			return Name{Zone: zk, Labels: labels[:i], Suffix: suffix}, nil
		}
	}
	return Name{}, fmt.Errorf("%w: %q", ErrNotGNS, name)
}
