package record

import (
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

// Active returns the records a resolver may use at now (RFC 9498,
// section "Resource Records", flag SHADOW): expired records are dropped, and a SHADOW record is kept
// only when no unexpired record of its type without the SHADOW flag is
// left. The order of the kept records does not change.
func Active(records []Record, now time.Time) []Record {
	live := make(map[Type]bool)
	for _, r := range records {
		if r.Flags&FlagShadow == 0 && !r.IsExpired(now) {
			live[r.Type] = true
		}
	}
	var out []Record
	for _, r := range records {
		if r.IsExpired(now) || (r.Flags&FlagShadow != 0 && live[r.Type]) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// BlockExpiration returns the expiration of a block that publishes
// records at now, which is the earliest record expiration. A SHADOW
// record of the same type extends a record's expiration to its own,
// because it takes over when the record expires. Relative expirations
// count from now, and an empty set gives now. GNUnet's
// GNUNET_GNSRECORD_record_get_expiration_time computes the same.
func BlockExpiration(records []Record, now time.Time) time.Time {
	if len(records) == 0 {
		return now
	}
	expire := zone.Forever
	for i, r := range records {
		at := r.ExpiresAt(now)
		for j, s := range records {
			if i != j && s.Type == r.Type && s.Flags&FlagShadow != 0 {
				at = later(at, s.ExpiresAt(now))
			}
		}
		if at.Before(expire) {
			expire = at
		}
	}
	return expire
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
