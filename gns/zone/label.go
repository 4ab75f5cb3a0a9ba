package zone

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxLabelSize is the maximum size of a label in bytes after
// normalisation, the DNS limit on labels, which RFC 9498 keeps.
const MaxLabelSize = 63

// ApexLabel is the label under which a zone publishes records for the
// zone itself.
const ApexLabel = "@"

// ErrInvalidLabel is wrapped by errors about labels that cannot be used.
var ErrInvalidLabel = errors.New("invalid label")

// NormalizeLabel returns label in Unicode normalisation form C, which is
// the form that key blinding and encryption use. It rejects labels that
// are not UTF-8, are empty, contain a dot or are longer than MaxLabelSize
// bytes once normalised.
func NormalizeLabel(label string) (string, error) {
	if !utf8.ValidString(label) {
		return "", fmt.Errorf("zone: %w %q: not valid UTF-8", ErrInvalidLabel, label)
	}
	n := norm.NFC.String(label)
	switch {
	case n == "":
		return "", fmt.Errorf("zone: %w: empty label, use %q for the zone apex", ErrInvalidLabel, ApexLabel)
	case strings.Contains(n, "."):
		return "", fmt.Errorf("zone: %w %q: labels must not contain a dot", ErrInvalidLabel, label)
	case len(n) > MaxLabelSize:
		return "", fmt.Errorf("zone: %w %q: %d bytes, the maximum is %d", ErrInvalidLabel, label, len(n), MaxLabelSize)
	}
	return n, nil
}
