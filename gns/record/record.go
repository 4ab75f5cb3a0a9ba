package record

import (
	"math"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

// Expiration is a record's expiration field in microseconds: a time since
// 1970-01-01 UTC, or a duration when the record has
// FlagRelativeExpiration.
type Expiration uint64

// Never is the expiration GNUnet uses for records that do not expire.
const Never Expiration = math.MaxUint64

// ExpiresAt returns the absolute expiration t.
func ExpiresAt(t time.Time) Expiration { return Expiration(zone.MicrosFromTime(t)) }

// ExpiresAfter returns the relative expiration d. Use it together with
// FlagRelativeExpiration. Negative durations become 0.
func ExpiresAfter(d time.Duration) Expiration {
	if d < 0 {
		return 0
	}
	return Expiration(d / time.Microsecond)
}

// Time returns the expiration as an absolute time.
func (e Expiration) Time() time.Time { return zone.TimeFromMicros(uint64(e)) }

// Duration returns the expiration as a duration, capped at the largest
// time.Duration.
func (e Expiration) Duration() time.Duration {
	if uint64(e) > uint64(math.MaxInt64/int64(time.Microsecond)) {
		return math.MaxInt64
	}
	return time.Duration(e) * time.Microsecond
}

// Record is one GNS resource record (RFC 9498, section "Resource
// Records").
type Record struct {
	Expiration Expiration
	Type       Type
	Flags      Flags
	Data       []byte
}

// IsRelative reports whether the expiration is a duration.
func (r Record) IsRelative() bool { return r.Flags&FlagRelativeExpiration != 0 }

// ExpiresAt returns when the record expires if it were published at now.
func (r Record) ExpiresAt(now time.Time) time.Time {
	if !r.IsRelative() {
		return r.Expiration.Time()
	}
	return addMicros(now, uint64(r.Expiration))
}

// IsExpired reports whether the record has expired at now. Records with a
// relative expiration never have, as GNUnet treats them.
func (r Record) IsExpired(now time.Time) bool {
	return !r.IsRelative() && !r.Expiration.Time().After(now)
}

// Absolute returns a copy of r whose relative expiration, if any, is
// turned into the absolute time from now on. Published blocks carry only
// absolute expirations.
func (r Record) Absolute(now time.Time) Record {
	if r.IsRelative() {
		r.Expiration = ExpiresAt(r.ExpiresAt(now))
		r.Flags &^= FlagRelativeExpiration
	}
	return r
}

// addMicros adds us microseconds to t, saturating at zone.Forever.
func addMicros(t time.Time, us uint64) time.Time {
	base := zone.MicrosFromTime(t)
	if us > math.MaxUint64-base {
		return zone.Forever
	}
	return zone.TimeFromMicros(base + us)
}
