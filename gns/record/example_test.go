package record_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// A zone owner publishes an A record under "www". A resolver that has
// the zone key finds the block by its query, checks it and reads
// the record.
func ExampleSealSet() {
	priv, err := zone.GenerateEDKEY(bytes.NewReader(make([]byte, 32))) // use crypto/rand.Reader
	if err != nil {
		panic(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	_, addr, err := record.ParseTypedValue("A 192.0.2.1")
	if err != nil {
		panic(err)
	}
	records := []record.Record{{
		Expiration: record.ExpiresAfter(24 * time.Hour),
		Type:       record.TypeA,
		Flags:      record.FlagRelativeExpiration,
		Data:       addr,
	}}
	blk, err := record.SealSet(priv, "www", records, now, nil)
	if err != nil {
		panic(err)
	}

	// The resolver side: the DHT key, then verify and decrypt.
	zk := priv.Public()
	q, _ := zk.Query("www")
	fmt.Println("query matches:", q == blk.Query())
	if err := blk.Verify(); err != nil {
		panic(err)
	}
	got, err := record.OpenBlock(blk, zk, "www")
	if err != nil {
		panic(err)
	}
	for _, r := range record.Active(got, now) {
		text, _ := record.FormatValue(r.Type, r.Data)
		fmt.Println(r.Type, text, r.Expiration.Time())
	}
	// Output:
	// query matches: true
	// A 192.0.2.1 2030-01-02 00:00:00 +0000 UTC
}
