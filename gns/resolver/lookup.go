package resolver

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// lookup is the state of one resolution. It lives on the loop; finished
// turns true exactly once, when cb runs.
type lookup struct {
	r    *Resolver
	name string
	typ  record.Type
	cb   func(Result)

	zone   zone.PublicKey // the zone the next label is looked up in
	labels []string       // labels not yet resolved, left to right
	hops   int            // delegations and redirects followed so far
	seen   map[string]bool

	timer    loop.Timer
	stopGet  func() // cancels the pending block or DNS query, if any
	finished bool
}

func (r *Resolver) newLookup(name string, n gns.Name, typ record.Type, cb func(Result)) *lookup {
	return &lookup{r: r, name: name, typ: typ, cb: cb, zone: n.Zone, labels: n.Labels, seen: make(map[string]bool)}
}

func (l *lookup) start() {
	l.timer = l.r.cfg.Env.After(l.r.cfg.Timeout, func() {
		l.fail(fmt.Errorf("%w after %v resolving %q", ErrTimeout, l.r.cfg.Timeout, l.name))
	})
	l.step()
}

func (l *lookup) cancel() { l.fail(ErrCancelled) }

// step looks up the rightmost remaining label, or the apex when none
// remains.
func (l *lookup) step() {
	key := l.zone.String() + "/" + strings.Join(l.labels, ".")
	if l.seen[key] {
		l.fail(fmt.Errorf("%w at %q in zone %s", ErrLoop, strings.Join(l.labels, "."), l.zone))
		return
	}
	l.seen[key] = true
	if l.r.cfg.Revoked != nil && l.r.cfg.Revoked(l.zone) {
		l.fail(fmt.Errorf("%w: %s", ErrRevoked, l.zone))
		return
	}
	label := zone.ApexLabel
	if len(l.labels) > 0 {
		label = l.labels[len(l.labels)-1]
	}
	l.fetch(l.zone, label)
}

// rest returns the labels left of the current one.
func (l *lookup) rest() []string {
	if len(l.labels) == 0 {
		return nil
	}
	return l.labels[:len(l.labels)-1]
}

// gotSet handles the record set of the current label. recs is nil when no
// block was found.
func (l *lookup) gotSet(recs []record.Record) {
	if l.finished {
		return
	}
	now := l.r.cfg.Env.Now()
	recs = record.Active(recs, now)
	if err := checkCritical(recs); err != nil {
		l.fail(err)
		return
	}
	if len(recs) == 0 {
		l.finish(Result{Code: NotFound, Name: l.name})
		return
	}
	set, err := classify(recs)
	if err != nil {
		l.fail(err)
		return
	}
	if rest := l.rest(); len(rest) > 0 {
		l.descend(set, rest)
		return
	}
	l.final(set)
}

// descend continues with the labels left of the current one.
func (l *lookup) descend(set recordSet, rest []string) {
	if svc, proto, ok := serviceLabels(rest); ok && len(set.boxes) > 0 {
		l.answer(unbox(set.boxes, svc, proto), true)
		return
	}
	switch {
	case set.delegation != nil:
		l.delegate(*set.delegation, rest)
	case set.redirect != nil:
		l.redirect(*set.redirect, rest)
	case len(set.gns2dns) > 0:
		l.toDNS(set.gns2dns, rest)
	default:
		l.finish(Result{Code: NotFound, Name: l.name})
	}
}

// final handles the record set of the last label.
func (l *lookup) final(set recordSet) {
	switch {
	case set.delegation != nil && !l.typ.IsDelegation() && l.typ != TypeAny:
		l.delegate(*set.delegation, nil)
	case set.redirect != nil && l.typ != record.TypeREDIRECT:
		l.redirect(*set.redirect, nil)
	case len(set.gns2dns) > 0 && l.typ != record.TypeGNS2DNS:
		l.toDNS(set.gns2dns, nil)
	default:
		l.answer(set.all, false)
	}
}

// answer finishes with the records of the requested type. An empty
// selection from BOX records means the service name does not exist.
func (l *lookup) answer(recs []record.Record, boxed bool) {
	if boxed && len(recs) == 0 {
		l.finish(Result{Code: NotFound, Name: l.name})
		return
	}
	var out []record.Record
	for _, r := range recs {
		if l.typ == TypeAny || r.Type == l.typ {
			out = append(out, r)
		}
	}
	l.finish(Result{Code: Found, Name: l.name, Records: out})
}

// delegate continues in the delegated zone with labels, or at its apex.
func (l *lookup) delegate(rec record.Record, labels []string) {
	zk, err := l.r.zoneKey(rec)
	if err != nil {
		l.fail(fmt.Errorf("%w: %w", ErrInvalidSet, err))
		return
	}
	l.hop(zk, labels)
}

// hop moves the resolution to zone zk and labels after a delegation or a
// redirect.
func (l *lookup) hop(zk zone.PublicKey, labels []string) {
	l.hops++
	if l.hops > l.r.cfg.MaxHops {
		l.fail(fmt.Errorf("%w: more than %d resolving %q", ErrTooManyHops, l.r.cfg.MaxHops, l.name))
		return
	}
	l.zone, l.labels = zk, labels
	l.step()
}

func (l *lookup) fail(err error) {
	l.finish(Result{Code: Failed, Name: l.name, Err: err})
}

// finish delivers the result once and releases timers and queries.
func (l *lookup) finish(res Result) {
	if l.finished {
		return
	}
	l.finished = true
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.stopGet != nil {
		l.stopGet()
		l.stopGet = nil
	}
	if log := l.r.log; log.Enabled(context.Background(), slog.LevelDebug) {
		log.Debug("resolved", "name", l.name, "type", l.typ.String(), "code", res.Code.String(), "records", len(res.Records), "hops", l.hops, "err", res.Err)
	}
	l.cb(res)
}

// now returns the loop's time.
func (l *lookup) now() time.Time { return l.r.cfg.Env.Now() }
