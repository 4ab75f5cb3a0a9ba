package cadet

import (
	"bytes"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// TestTokenUnknownAfterRetransmission makes the first CHANNEL_OPEN's
// acknowledgement slow (the link's latency rises to 2 s), so the opener
// retransmits the open with fresh tokens, which are lost. The peer
// accepted the first token, not the last one sent, so Token must not
// claim to know it: it returns the zero Token.
func TestTokenUnknownAfterRetransmission(t *testing.T) {
	sim := loop.NewSim(61)
	net := newSimNet(t, sim, 2, testConfig())
	link := net.connect(net.order[0], net.order[1], 10*time.Millisecond)
	a, b := net.order[0], net.order[1]
	accepted := 0
	b.engine.ListenPort("hidden", &stealthSecret, func(*Channel) { accepted++ })

	first := bytes.Repeat([]byte{'x'}, 3000)
	isOpen := func(msg []byte) bool { return len(msg) > 3000 && len(msg) < 3300 }
	opens := 0
	link.drop = func(msg []byte) bool {
		if !isOpen(msg) {
			return false
		}
		opens++
		if opens == 1 {
			link.latency = 2 * time.Second // slows the acknowledgement
			return false
		}
		return true // retransmissions of the open are lost
	}

	var token Token
	opened := false
	a.engine.Open(b.id, "hidden", OpenOptions{Secret: &stealthSecret, FirstPayload: first}, func(c *Channel, err error) {
		if err != nil {
			t.Errorf("valid open: %v", err)
			return
		}
		opened, token = true, c.Token()
	})
	sim.RunFor(10 * time.Second)

	if !opened || accepted != 1 || opens < 2 {
		t.Fatalf("set-up failed: opened %v, %d accepted, %d opens sent", opened, accepted, opens)
	}
	if token != (Token{}) {
		t.Fatal("Token returned a token after the open was retransmitted")
	}
}
