package resolver

import (
	"bufio"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// gnunetNow is a time at which the GNUnet blocks in testdata are valid.
var gnunetNow = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

// shiftedEnv moves a simulated peer's clock to another epoch.
type shiftedEnv struct {
	loop.Env
	shift time.Duration
}

func (e shiftedEnv) Now() time.Time { return e.Env.Now().Add(e.shift) }

// loadGNUnetBlocks reads testdata/gnunet-0.19-blocks.txt into a fake DHT.
func loadGNUnetBlocks(t *testing.T, dht *fakeDHT) {
	t.Helper()
	f, err := os.Open("testdata/gnunet-0.19-blocks.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		zk, err := zone.ParsePublicKey(fields[0])
		if err != nil {
			t.Fatal(err)
		}
		block, err := hex.DecodeString(fields[2])
		if err != nil {
			t.Fatal(err)
		}
		q, err := zk.Query(fields[1])
		if err != nil {
			t.Fatal(err)
		}
		dht.put(q, block)
	}
}

// TestResolveGNUnetBlocks resolves names through blocks that GNUnet 0.19.3
// published: a PKEY zone delegating to a PKEY and an EDKEY zone (RFC 9498,
// sections 5 and 7).
func TestResolveGNUnetBlocks(t *testing.T) {
	sim := loop.NewSim(1)
	env := shiftedEnv{Env: sim.NewEnv(0, slog.New(slog.DiscardHandler)), shift: gnunetNow.Sub(loop.SimEpoch)}
	dht := &fakeDHT{env: env, blocks: map[[64]byte][][]byte{}}
	loadGNUnetBlocks(t, dht)
	myzone, err := zone.ParsePublicKey("000G000M09QCJ55YC6EHSBHRT7HPWCSKCXFJHD9EQZ2F3570B1T3KGJ7PR")
	if err != nil {
		t.Fatal(err)
	}
	suffixes, _ := gns.NewSuffixMap(myzone, nil)
	w := &world{t: t, sim: sim, dht: dht}
	w.res = New(Config{Env: env, Suffixes: suffixes, Blocks: dht})

	expectValues(t, w.resolve("www.gnu", TypeAny), "TXT hello gnunet baseline", "AAAA 2001:db8::1", "A 192.0.2.1")
	expectValues(t, w.resolve("www.bob.gnu", record.TypeA), "A 192.0.2.2")
	expectValues(t, w.resolve("www.carol.gnu", record.TypeA), "A 192.0.2.3")
	expectValues(t, w.resolve("www.carol."+myzone.String(), record.TypeA), "A 192.0.2.3")
	expectCode(t, w.resolve("ftp.bob.gnu", record.TypeA), NotFound, nil)
}

// TestGNUnetBlocksExpire checks that the same blocks are refused once they
// have expired.
func TestGNUnetBlocksExpire(t *testing.T) {
	sim := loop.NewSim(1)
	later := gnunetNow.Add(48 * time.Hour)
	env := shiftedEnv{Env: sim.NewEnv(0, slog.New(slog.DiscardHandler)), shift: later.Sub(loop.SimEpoch)}
	dht := &fakeDHT{env: env, blocks: map[[64]byte][][]byte{}}
	loadGNUnetBlocks(t, dht)
	myzone, _ := zone.ParsePublicKey("000G000M09QCJ55YC6EHSBHRT7HPWCSKCXFJHD9EQZ2F3570B1T3KGJ7PR")
	suffixes, _ := gns.NewSuffixMap(myzone, nil)
	w := &world{t: t, sim: sim, dht: dht}
	w.res = New(Config{Env: env, Suffixes: suffixes, Blocks: dht})
	expectCode(t, w.resolve("www.gnu", record.TypeA), NotFound, nil)
}
