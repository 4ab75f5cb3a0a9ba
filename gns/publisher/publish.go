package publisher

import (
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// publish builds and hands out the block of one label, then schedules the
// next publication. See the package documentation for the withdrawal rule.
func (p *Publisher) publish(st *labelState) {
	k := st.key
	recs, err := p.cfg.Store.Lookup(k.zone, k.label)
	if err != nil {
		p.fail(k, "read namestore", err)
		return
	}
	priv, err := p.cfg.Keys(k.zone)
	if err != nil {
		// A zone without a key (its identity was deleted) is not ours to
		// publish; forget the label.
		p.log.Debug("no key for zone, not publishing", "zone", k.zone.String(), "label", k.label)
		delete(p.labels, k)
		return
	}
	now := p.cfg.Env.Now()
	if len(record.Publishable(recs, now)) == 0 {
		p.withdraw(st, priv)
		return
	}
	blk, err := record.SealSet(priv, k.label, recs, now, st.previous)
	if err != nil {
		p.fail(k, "seal block", err)
		return
	}
	p.put(blk)
	st.previous, st.public = blk, true
	p.stats.Published++
	p.after(st, p.republishDelay(blk.Expiration))
}

// withdraw publishes an empty block when the label had public records
// before, and forgets the label otherwise.
func (p *Publisher) withdraw(st *labelState, priv *zone.PrivateKey) {
	if !st.public {
		delete(p.labels, st.key)
		return
	}
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
