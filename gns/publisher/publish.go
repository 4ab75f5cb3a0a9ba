package publisher

import (
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// publish builds and hands out the block of one label, then schedules the
// next publication. See the package documentation for the withdrawal rule.
func (p *Publisher) publish(st *labelState) {
	recs, priv, ok := p.load(st)
	if !ok {
		return
	}
	changed := st.changed
	st.changed = false
	now := p.cfg.Env.Now()
	switch {
	case len(record.Publishable(recs, now)) > 0:
		p.seal(st, priv, recs)
	case changed || st.public:
		p.withdraw(st, priv)
	default:
		delete(p.labels, st.key)
	}
}

// load reads the label's records and the zone's private key. A zone
// without a key (its identity was deleted) is not ours to publish, so the
// label is forgotten.
func (p *Publisher) load(st *labelState) ([]record.Record, *zone.PrivateKey, bool) {
	k := st.key
	recs, err := p.cfg.Store.Lookup(k.zone, k.label)
	if err != nil {
		p.fail(k, "read namestore", err)
		return nil, nil, false
	}
	priv, err := p.cfg.Keys(k.zone)
	if err != nil {
		p.log.Debug("no key for zone, not publishing", "zone", k.zone.String(), "label", k.label)
		delete(p.labels, k)
		return nil, nil, false
	}
	return recs, priv, true
}

// seal publishes the label's public records and schedules the next
// publication before the block expires.
func (p *Publisher) seal(st *labelState, priv *zone.PrivateKey, recs []record.Record) {
	blk, err := record.SealSet(priv, st.key.label, recs, p.cfg.Env.Now(), st.previous)
	if err != nil {
		p.fail(st.key, "seal block", err)
		return
	}
	p.put(blk)
	st.previous, st.public = blk, true
	p.stats.Published++
	p.after(st, p.republishDelay(blk.Expiration))
}

// withdraw publishes an empty block for the label.
func (p *Publisher) withdraw(st *labelState, priv *zone.PrivateKey) {
	now := p.cfg.Env.Now()
	blk, err := zone.SealBlock(priv, st.key.label, nil, now.Add(p.cfg.WithdrawLifetime))
	if err != nil {
		p.fail(st.key, "seal empty block", err)
		return
	}
	p.put(blk)
	p.stats.Withdrawn++
	st.previous, st.public = blk, false
	p.log.Debug("withdrew label", "zone", st.key.zone.String(), "label", st.key.label)
}

func (p *Publisher) put(blk *zone.Block) {
	p.cfg.Sink.PutBlock(blk.Query(), blk.Marshal(), blk.Expiration)
}

func (p *Publisher) fail(k labelKey, step string, err error) {
	p.stats.Failed++
	p.log.Warn("zone publication failed", "step", step, "zone", k.zone.String(), "label", k.label, "err", err)
}
