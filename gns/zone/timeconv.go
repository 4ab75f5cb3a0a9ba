package zone

import (
	"math"
	"time"
)

// GNUnet writes absolute times as microseconds since 1970-01-01 UTC in
// 64 bits, with all ones meaning "never". time.Time covers the whole
// range, so the conversion is exact for every value.

// Forever is the time GNUnet writes as 0xffffffffffffffff.
var Forever = TimeFromMicros(math.MaxUint64)

// TimeFromMicros converts GNUnet's microsecond timestamp to a UTC time.
func TimeFromMicros(us uint64) time.Time {
	return time.Unix(int64(us/1e6), int64(us%1e6)*1e3).UTC()
}

// MicrosFromTime converts t to GNUnet's microsecond timestamp, rounding
// down. Times before 1970 become 0.
func MicrosFromTime(t time.Time) uint64 {
	if t.Unix() < 0 {
		return 0
	}
	return uint64(t.Unix())*1e6 + uint64(t.Nanosecond()/1e3)
}
