package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/config"
)

// chainLimits lets a peer hold two links, so five daemons form a chain in
// which only neighbours are linked and the DHT asks for no shortcuts.
func chainLimits(c *config.Config) {
	fastLimits(c)
	c.Limits.MaxLinks = 2
}

func TestDHTPutOnOneEndGetOnTheOther(t *testing.T) {
	chain := make([]*daemon, 5)
	for i := range chain {
		chain[i] = newDaemon(t, chainLimits)
	}
	for i := 1; i < len(chain); i++ {
		mustHush(t, "connect", "--home", chain[i].home, chain[i-1].target(t))
		waitFor(t, 10*time.Second, "chain link", func() bool { return chain[i-1].hasPeer(t, chain[i].id) })
	}

	mustHush(t, "dht", "put", "--home", chain[0].home, "greeting", "hello from the first peer", "--expire", "10m")
	var out string
	waitFor(t, 60*time.Second, "the value to be found from the last peer", func() bool {
		var code int
		out, _, code = runHush(t, "dht", "get", "--home", chain[4].home, "greeting", "--timeout", "5s")
		return code == 0
	})
	if strings.TrimSpace(out) != "hello from the first peer" {
		t.Fatalf("dht get printed %q", out)
	}
	for i, d := range chain {
		if n := len(d.peers(t)); n > 2 {
			t.Errorf("peer %d holds %d links; the chain allows 2", i, n)
		}
	}
}

func TestDHTGetMissingKeyExitsOne(t *testing.T) {
	d := newDaemon(t, nil)
	out, _, code := runHush(t, "dht", "get", "--home", d.home, "no-such-key", "--timeout", "1s")
	if code != 1 || out != "" {
		t.Fatalf("dht get of a missing key: exit %d, output %q; want exit 1 and no output", code, out)
	}
}
