package gns

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hush-overlay/hush/gns/record"
)

// ParseExpiration reads a record expiration in the text form of zone
// files: "never", an RFC 3339 time such as "2030-01-01T00:00:00Z", or a
// duration from publication made of numbers with the units w, d, h, m and
// s, such as "1d", "12h" or "1w2d3h". For a duration it also returns
// record.FlagRelativeExpiration, which the record must carry.
func ParseExpiration(s string) (record.Expiration, record.Flags, error) {
	if s == "never" {
		return record.Never, 0, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return record.ExpiresAt(t), 0, nil
	}
	d, err := parseRelative(s)
	if err != nil {
		return 0, 0, fmt.Errorf("expiration %q: %w; use e.g. 1d, 12h, never or 2030-01-01T00:00:00Z", s, err)
	}
	return record.ExpiresAfter(d), record.FlagRelativeExpiration, nil
}

// FormatExpiration returns the text form of r's expiration that
// ParseExpiration reads.
func FormatExpiration(r record.Record) string {
	switch {
	case r.IsRelative():
		return formatRelative(r.Expiration.Duration())
	case r.Expiration == record.Never:
		return "never"
	}
	return r.Expiration.Time().Format(time.RFC3339Nano)
}

var units = []struct {
	suffix byte
	size   time.Duration
}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}, {'h', time.Hour}, {'m', time.Minute}, {'s', time.Second}}

// maxRelative keeps a relative expiration far from overflowing time.Time
// arithmetic; a hundred years is longer than any record should live.
const maxRelative = 100 * 365 * 24 * time.Hour

func parseRelative(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	var total time.Duration
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return 0, errors.New("expected a number followed by a unit")
		}
		n, err := strconv.ParseUint(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("number %q out of range", s[:i])
		}
		unit, ok := unitSize(s[i])
		if !ok {
			return 0, fmt.Errorf("unknown unit %q", s[i])
		}
		total += time.Duration(n) * unit
		if total > maxRelative {
			return 0, errors.New("longer than 100 years")
		}
		s = s[i+1:]
	}
	if total == 0 {
		return 0, errors.New("zero duration")
	}
	return total, nil
}

func unitSize(c byte) (time.Duration, bool) {
	for _, u := range units {
		if u.suffix == c {
			return u.size, true
		}
	}
	return 0, false
}

func formatRelative(d time.Duration) string {
	var b strings.Builder
	for _, u := range units {
		if n := d / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteByte(u.suffix)
			d -= n * u.size
		}
	}
	if d > 0 || b.Len() == 0 {
		// Sub-second remainders cannot be written in this form; round up.
		b.WriteString("1s")
	}
	return b.String()
}
