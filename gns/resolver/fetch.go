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
	g := &blockGet{l: l, zone: zk, label: label}
	cancel := l.r.cfg.Blocks.GetBlock(q, g.onBlock, g.onDone)
	if g.ended {
		return
	}
	g.cancel = cancel
	l.stopGet = cancel
}

// blockGet is one pending block lookup of a resolution. ended turns true
// at the first valid block or at the end of the search, and later calls
// from the block source are ignored.
type blockGet struct {
	l      *lookup
	zone   zone.PublicKey
	label  string
	cancel func() // nil while GetBlock has not returned
	ended  bool
}

func (g *blockGet) onBlock(b []byte) {
	l := g.l
	if g.ended || l.finished {
		return
	}
	recs, exp, ok := openBlock(b, g.zone, g.label, l.now())
	if !ok {
		return
	}
	g.end()
	if g.cancel != nil {
		g.cancel()
	}
	l.r.cfg.Cache.Put(g.zone, g.label, recs, exp)
	l.trace(g.zone, g.label, "dht", recs)
	l.gotSet(recs)
}

func (g *blockGet) onDone() {
	if g.ended || g.l.finished {
		return
	}
	g.end()
	g.l.trace(g.zone, g.label, "none", nil)
	g.l.gotSet(nil)
}

func (g *blockGet) end() {
	g.ended = true
	g.l.stopGet = nil
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
