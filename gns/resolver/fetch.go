package resolver

import (
	"time"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// fetch finds the record set of label in zk and passes it to gotSet: from
// the user's own zones first, then the cache, then the block source.
func (l *lookup) fetch(zk zone.PublicKey, label string) {
	if l.r.cfg.Local != nil {
		if recs, ok := l.r.cfg.Local(zk, label); ok {
			l.trace(zk, label, "local", recs)
			l.gotSet(absolute(recs, l.now()))
			return
		}
	}
	if recs, ok := l.r.cfg.Cache.Get(zk, label, l.now()); ok {
		l.trace(zk, label, "cache", recs)
		l.gotSet(recs)
		return
	}
	l.fetchBlock(zk, label)
}

// fetchBlock queries the block source and takes the first block that is
// valid for zk and label. Invalid blocks (forged, expired, truncated, of
// another zone) are dropped silently, because anyone can put blocks under
// a query.
//
// NOTE: when stores hold several valid blocks for a label, which one comes
// first is up to the DHT; a resolver does not wait to compare them.
func (l *lookup) fetchBlock(zk zone.PublicKey, label string) {
	q, err := zk.Query(label)
	if err != nil {
		l.fail(err)
		return
	}
	var cancelGet func()
	done := false
	onBlock := func(b []byte) {
		if done || l.finished {
			return
		}
		recs, exp, ok := openBlock(b, zk, label, l.now())
		if !ok {
			return
		}
		done = true
		l.stopGet = nil
		if cancelGet != nil {
			cancelGet()
		}
		l.r.cfg.Cache.Put(zk, label, recs, exp)
		l.trace(zk, label, "dht", recs)
		l.gotSet(recs)
	}
	onDone := func() {
		if done || l.finished {
			return
		}
		done = true
		l.stopGet = nil
		l.trace(zk, label, "none", nil)
		l.gotSet(nil)
	}
	cancelGet = l.r.cfg.Blocks.GetBlock(q, onBlock, onDone)
	if !done {
		l.stopGet = cancelGet
	}
}

// openBlock parses, verifies and decrypts a block and returns its records
// and expiration. ok is false for any block that must be ignored.
func openBlock(b []byte, zk zone.PublicKey, label string, now time.Time) ([]record.Record, time.Time, bool) {
	blk, err := zone.ParseBlock(b)
	if err != nil || !blk.Expiration.After(now) {
		return nil, time.Time{}, false
	}
	if err := blk.Verify(); err != nil {
		return nil, time.Time{}, false
	}
	recs, err := record.OpenBlock(blk, zk, label)
	if err != nil {
		return nil, time.Time{}, false
	}
	if recs == nil {
		recs = []record.Record{}
	}
	return recs, blk.Expiration, true
}

// absolute turns relative expirations of local records into absolute ones.
func absolute(recs []record.Record, now time.Time) []record.Record {
	out := make([]record.Record, len(recs))
	for i, r := range recs {
		out[i] = r.Absolute(now)
	}
	return out
}

func (l *lookup) trace(zk zone.PublicKey, label, source string, recs []record.Record) {
	if l.r.cfg.Trace != nil {
		l.r.cfg.Trace(Step{Name: l.name, Zone: zk, Label: label, Source: source, Records: len(recs)})
	}
}
