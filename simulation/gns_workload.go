package simulation

import (
	"crypto/sha512"
	"fmt"
	"slices"
	"time"

	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/resolver"
	"github.com/hush-overlay/hush/gns/zone"
)

// Parameters of the GNS workload.
const (
	// gnsResolveDelay is the time between publishing a chain of zones and
	// resolving a name through it.
	gnsResolveDelay = 10 * time.Second
	// gnsTimeout bounds one resolution and gnsGetTimeout each DHT lookup
	// inside it.
	gnsTimeout    = 30 * time.Second
	gnsGetTimeout = 10 * time.Second
	// gnsRecordLifetime outlives every run.
	gnsRecordLifetime = 48 * time.Hour
	// gnsMaxChain is the longest delegation chain, counting the zone that
	// holds the final record.
	gnsMaxChain = 3
)

// gnsRun is the state of the GNS workload.
type gnsRun struct {
	results outcomes
}

// startGNS schedules Ops resolutions. Each one gets a fresh chain of 1 to
// gnsMaxChain zones, published by a random honest peer, and a name that
// another random honest peer resolves through the chain's delegations.
func (w *world) startGNS() error {
	last := w.cfg.Duration - gnsResolveDelay - gnsTimeout
	if last <= w.workloadStart() {
		return errorf("duration %v is too short for the gns workload: it needs more than %v", w.cfg.Duration, w.workloadStart()+gnsResolveDelay+gnsTimeout)
	}
	honest := w.honestPeers()
	if len(honest) < 2 {
		return errorf("the gns workload needs at least 2 honest peers, got %d", len(honest))
	}
	w.gnsRun = &gnsRun{}
	for i, at := range spreadOps(w.cfg.Ops, w.workloadStart(), last) {
		zones, err := w.newZoneChain(1 + w.rng.IntN(gnsMaxChain))
		if err != nil {
			return err
		}
		publisher, resolverPeer := w.pickPair(honest)
		name := chainName(zones)
		w.sim.Schedule(at, func() { w.publishChain(publisher, zones, i) })
		w.sim.Schedule(at+gnsResolveDelay, func() { w.resolveName(resolverPeer, name) })
	}
	return nil
}

// pickPair returns two distinct random peers of candidates.
func (w *world) pickPair(candidates []*peer) (*peer, *peer) {
	a := candidates[w.rng.IntN(len(candidates))]
	b := candidates[w.rng.IntN(len(candidates))]
	for b == a {
		b = candidates[w.rng.IntN(len(candidates))]
	}
	return a, b
}

func (w *world) newZoneChain(length int) ([]*zone.PrivateKey, error) {
	zones := make([]*zone.PrivateKey, length)
	for i := range zones {
		seed := make([]byte, 32)
		for j := range seed {
			seed[j] = byte(w.rng.Uint32())
		}
		z, err := zone.NewEDKEY(seed)
		if err != nil {
			return nil, errorf("zone key: %w", err)
		}
		zones[i] = z
	}
	return zones, nil
}

// chainLabel is the label under which zone i of a chain delegates to zone
// i+1.
func chainLabel(i int) string { return fmt.Sprintf("z%d", i) }

// chainName returns www.z(n-2)...z1.z0.ZTLD, which resolves through every
// zone of the chain to the A record in the last one.
func chainName(zones []*zone.PrivateKey) string {
	name := "www"
	for i := len(zones) - 2; i >= 0; i-- {
		name += "." + chainLabel(i)
	}
	return name + "." + zones[0].Public().String()
}

// publishChain seals the chain's record sets on p and puts them into the
// DHT: a delegation in each zone but the last, an A record in the last.
func (w *world) publishChain(p *peer, zones []*zone.PrivateKey, op int) {
	expires := p.env.Now().Add(gnsRecordLifetime).UTC().Format(time.RFC3339)
	for i, z := range zones {
		label, typ, value := "www", "A", fmt.Sprintf("192.0.2.%d", 1+op%250)
		if i < len(zones)-1 {
			next := zones[i+1].Public()
			label, typ, value = chainLabel(i), next.Type().String(), next.String()
		}
		if err := w.publishRecord(p, z, label, typ, value, expires); err != nil {
			w.cfg.Log.Error("simulation: GNS publish failed", "peer", p.index, "label", label, "err", err)
		}
	}
}

func (w *world) publishRecord(p *peer, z *zone.PrivateKey, label, typ, value, expires string) error {
	rec, err := gns.ParseRecord(typ, value, expires, "-")
	if err != nil {
		return err
	}
	blk, err := record.SealSet(z, label, []record.Record{rec}, p.env.Now(), nil)
	if err != nil {
		return err
	}
	q := blk.Query()
	return p.services.dht.Put(block.Key(q), block.TypeGNS, blk.Marshal(), blk.Expiration, dht.PutOptions{})
}

func (w *world) resolveName(p *peer, name string) {
	if w.offline[p.index] {
		w.gnsRun.results.record(false, 0, -1)
		return
	}
	start := p.env.Now()
	p.gnsResolver(w).Resolve(name, record.TypeA, func(r resolver.Result) {
		ok := r.Code == resolver.Found && len(r.Records) > 0
		w.gnsRun.results.record(ok, p.env.Now().Sub(start), -1)
	})
}

// gnsResolver returns p's resolver, made on first use. It has no suffix
// bindings because the workload's names end in a zTLD.
func (p *peer) gnsResolver(w *world) *resolver.Resolver {
	if p.services.resolver == nil {
		suffixes, _ := gns.NewSuffixMap(zone.PublicKey{}, nil)
		p.services.resolver = resolver.New(resolver.Config{
			Env: p.env, Suffixes: suffixes, Blocks: dhtBlocks{p.services.dht}, Timeout: gnsTimeout,
		})
	}
	return p.services.resolver
}

func (w *world) fillGNS(r *Report) {
	o := &w.gnsRun.results
	r.GNS = &GNSReport{
		Resolutions:  o.attempts,
		SuccessRate:  ratio(o.successes, o.attempts),
		LatencyP50Ms: percentile(slices.Clone(o.latencyMs), 50),
		LatencyP95Ms: percentile(slices.Clone(o.latencyMs), 95),
	}
}

// dhtBlocks is the resolver's BlockSource on a peer's DHT.
type dhtBlocks struct{ d *dht.DHT }

func (b dhtBlocks) GetBlock(query [64]byte, cb func([]byte), done func()) (cancel func()) {
	h := b.d.Get(block.Key(query), block.TypeGNS, dht.GetOptions{Timeout: gnsGetTimeout},
		func(r dht.Result) { cb(r.Data) }, done)
	return h.Cancel
}

// gnsPlugin validates GNS record blocks in the simulated DHTs: a block must
// parse, carry a valid signature, be stored under its own query hash and
// not have expired.
//
// NOTE: the gns package has no DHT block plugin yet, so the simulation
// brings this one; replace it with the package's once that exists.
type gnsPlugin struct{}

func (gnsPlugin) Type() block.Type           { return block.TypeGNS }
func (gnsPlugin) CheckQuery(block.Key) error { return nil }
func (gnsPlugin) Unique() bool               { return true }

func (gnsPlugin) FilterKey(data []byte) [64]byte { return sha512.Sum512(data) }

func (gnsPlugin) DeriveKey(data []byte) (block.Key, error) {
	b, err := zone.ParseBlock(data)
	if err != nil {
		return block.Key{}, fmt.Errorf("%w: %v", block.ErrInvalidBlock, err)
	}
	return block.Key(b.Query()), nil
}

func (gnsPlugin) Validate(key block.Key, data []byte, now time.Time) (block.Info, error) {
	b, err := zone.ParseBlock(data)
	if err != nil || b.Verify() != nil || block.Key(b.Query()) != key {
		return block.Info{}, block.ErrInvalidBlock
	}
	if !b.Expiration.After(now) {
		return block.Info{}, block.ErrExpired
	}
	var id [32]byte
	copy(id[:], key[:])
	return block.Info{Expires: b.Expiration, Identity: id}, nil
}
