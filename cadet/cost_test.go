package cadet

import (
	"testing"
	"time"
)

// openSlack allows for processing between the arrival of a message and
// the callback. Virtual time does not advance while the engines run, so the
// times are exact and this is only a margin against rounding.
const openSlack = time.Millisecond

// TestOpenOnTunnelOneWay checks that once a tunnel is up, a channel open
// delivers its first payload to the listener after one one-way trip of
// the path, and completes at the opener after one round trip, for stealth
// and public ports. These are properties of the protocol: the open carries
// the payload, and the listener accepts without any further exchange.
func TestOpenOnTunnelOneWay(t *testing.T) {
	oneWay := 2 * costLink // chain of three peers: two links
	for _, tc := range []struct {
		name   string
		secret *[32]byte
	}{{"stealth", &stealthSecret}, {"public", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			timing := openOnTunnel(t, tc.secret)
			if timing.firstPayload < 0 {
				t.Fatal("listener never read the first payload")
			}
			if timing.firstPayload > oneWay+openSlack {
				t.Errorf("first payload readable after %v, want at most one one-way trip (%v)", timing.firstPayload, oneWay)
			}
			if timing.opened < 0 {
				t.Fatal("opener's done callback never ran")
			}
			if timing.opened > 2*oneWay+openSlack {
				t.Errorf("open done after %v, want at most one round trip (%v)", timing.opened, 2*oneWay)
			}
		})
	}
}
