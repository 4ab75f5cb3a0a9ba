package publisher

import (
	"time"

	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/loop"
)

// Start subscribes to namestore changes and queues every label of every
// zone in random order. Call it once, on the loop.
func (p *Publisher) Start() error {
	env := p.cfg.Env
	p.cfg.Store.Watch(func(c namestore.Change) {
		env.Post(func() { p.Changed(c) })
	})
	keys, err := p.allLabels()
	if err != nil {
		return err
	}
	loop.Shuffle(env.Rand(), len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, k := range keys {
		p.enqueue(p.state(k))
	}
	p.log.Info("zone publisher started", "labels", len(keys))
	return nil
}

func (p *Publisher) allLabels() ([]labelKey, error) {
	zones, err := p.cfg.Store.Zones()
	if err != nil {
		return nil, err
	}
	var keys []labelKey
	for _, zk := range zones {
		sets, err := p.cfg.Store.List(zk)
		if err != nil {
			return nil, err
		}
		for _, set := range sets {
			keys = append(keys, labelKey{zone: zk, label: set.Label})
		}
	}
	return keys, nil
}

// Stop cancels all timers. Changes reported afterwards are ignored.
func (p *Publisher) Stop() {
	p.stopped = true
	for _, st := range p.labels {
		stopTimer(&st.timer)
	}
	stopTimer(&p.pump)
	p.queue = nil
	p.log.Info("zone publisher stopped")
}

// Changed schedules the label of c for publication after ChangeDelay,
// replacing a pending republication.
func (p *Publisher) Changed(c namestore.Change) {
	if p.stopped {
		return
	}
	st := p.state(labelKey{zone: c.Zone, label: c.Label})
	st.changed = true
	p.after(st, p.cfg.ChangeDelay)
}

func (p *Publisher) state(k labelKey) *labelState {
	st, ok := p.labels[k]
	if !ok {
		st = &labelState{key: k}
		p.labels[k] = st
	}
	return st
}

// after arms the label's timer to queue it d from now.
func (p *Publisher) after(st *labelState, d time.Duration) {
	stopTimer(&st.timer)
	st.timer = p.cfg.Env.After(d, func() {
		st.timer = nil
		p.enqueue(st)
	})
}

// enqueue adds st to the rate-limited queue unless it is there already.
func (p *Publisher) enqueue(st *labelState) {
	if st.queued || p.stopped {
		return
	}
	st.queued = true
	p.queue = append(p.queue, st)
	p.armPump()
}

// armPump schedules the next publication one Interval after the last,
// with jitter, unless it is already scheduled or nothing waits.
func (p *Publisher) armPump() {
	if p.pump != nil || len(p.queue) == 0 {
		return
	}
	env := p.cfg.Env
	wait := p.last.Add(loop.Jitter(env.Rand(), p.cfg.Interval, jitterFraction)).Sub(env.Now())
	p.pump = env.After(max(wait, 0), p.runPump)
}

func (p *Publisher) runPump() {
	p.pump = nil
	if len(p.queue) == 0 {
		return
	}
	st := p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	st.queued = false
	p.last = p.cfg.Env.Now()
	p.publish(st)
	p.armPump()
}

// republishDelay returns when a block expiring at exp is published again.
func (p *Publisher) republishDelay(exp time.Time) time.Duration {
	d := time.Duration(float64(exp.Sub(p.cfg.Env.Now())) * p.cfg.RefreshFraction)
	d = min(d, p.cfg.MaxRepublish)
	d = max(d, minRepublish)
	return loop.Jitter(p.cfg.Env.Rand(), d, jitterFraction)
}

func stopTimer(t *loop.Timer) {
	if *t != nil {
		(*t).Stop()
		*t = nil
	}
}
