package dht

import (
	"fmt"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// approximateHellos is how many neighbour HELLOs a peer returns for a HELLO
// lookup with the find approximate option.
const approximateHellos = 8

// handleGet remembers a GET from a neighbour, answers it from local storage
// and forwards it. A path of a GET with the find approximate option ends at
// the first peer closest to the key, which answers with the nearest HELLOs
// it knows: walking on would only collect more HELLOs than the lookup can
// use and route each of them back over every path of the GET.
func (d *DHT) handleGet(from identity.PeerID, msg []byte) {
	m, err := wire.ParseGet(msg)
	var filter *block.ResultFilter
	if err == nil {
		filter, err = d.checkGet(m)
	}
	if err != nil {
		d.drop(from, wire.TypeGet, err)
		return
	}
	m.PeerFilter.Add(from)
	m.PeerFilter.Add(d.self)
	rk := requestKey{key: m.Key, typ: block.Type(m.BlockType)}
	d.requests.add(rk, from, m.Options, filter, d.env.Now())
	approximate := d.answersHere(m)
	if d.answerLocally(rk, m.Options, approximate) || (approximate && !m.Options.Has(wire.DemultiplexEverywhere)) {
		return
	}
	d.forwardGet(m, int(m.HopCount))
}

// checkGet validates a GET's block type, key and result filter.
func (d *DHT) checkGet(m *wire.Get) (*block.ResultFilter, error) {
	typ := block.Type(m.BlockType)
	if typ != block.TypeAny {
		p, ok := d.blocks.Lookup(typ)
		if !ok {
			return nil, fmt.Errorf("dht: GET for unknown block type %s", typ)
		}
		if err := p.CheckQuery(m.Key); err != nil {
			return nil, err
		}
	}
	if len(m.ResultFilter) == 0 {
		return block.NewResultFilter(uint32(loop.Uint64(d.env.Rand())), 1), nil
	}
	if err := block.CheckFilterSize(len(m.ResultFilter)); err != nil {
		return nil, err
	}
	bits := append([]byte(nil), m.ResultFilter...)
	return &block.ResultFilter{Mutator: m.FilterMutator, Bits: bits}, nil
}

// forwardGet sends m to its next hops, decided at hop count hops.
func (d *DHT) forwardGet(m *wire.Get, hops int) {
	next := d.nextHops(keyspace.OfKey(m.Key), hops, int(m.Replication), &m.PeerFilter)
	out := *m
	out.HopCount = uint16(hops + 1)
	msg := out.Append(nil)
	for _, p := range next {
		d.send(p, wire.TypeGet, msg)
	}
}

// answersHere reports whether this peer answers m with approximate
// matches: only where it is closest to the key, or everywhere if m says so,
// as R5N does. Exact matches are answered at every hop.
func (d *DHT) answersHere(m *wire.Get) bool {
	if !m.Options.Has(wire.FindApproximate) {
		return false
	}
	return m.Options.Has(wire.DemultiplexEverywhere) || d.isClosest(keyspace.OfKey(m.Key), &m.PeerFilter)
}

// answerLocally delivers every local block that answers rk to the requests
// waiting for it, including approximate matches if approximate is set. It
// reports whether the GET is finished: a block type with unique blocks found
// its block under the exact key.
func (d *DHT) answerLocally(rk requestKey, opts wire.Options, approximate bool) bool {
	final := false
	for _, res := range d.localResults(rk, approximate) {
		if opts.Has(wire.RecordRoute) {
			res.verifyStored(d.cfg.VerifyCache, d.self)
		}
		d.deliver(res, d.self)
		final = final || d.isFinal(rk, res)
	}
	return final && !opts.Has(wire.FindApproximate)
}

func (d *DHT) isFinal(rk requestKey, res *found) bool {
	p, ok := d.blocks.Lookup(block.Type(res.msg.BlockType))
	return ok && p.Unique() && res.msg.BlockKey == rk.key
}

// localResults returns stored blocks under rk and, for HELLO lookups, the
// HELLOs of this peer and its neighbours.
func (d *DHT) localResults(rk requestKey, approximate bool) []*found {
	var out []*found
	err := d.store.Get(rk.key, rk.typ, d.env.Now(), func(r datastore.Record) bool {
		out = append(out, foundFromRecord(r))
		return true
	})
	if err != nil {
		d.log.Error("datastore get failed", "err", err)
	}
	if rk.typ == block.TypeHello || rk.typ == block.TypeAny {
		for _, h := range d.hellosFor(rk.key, approximate) {
			out = append(out, foundFromHello(h))
		}
	}
	for _, f := range out {
		f.msg.QueryKey = rk.key
	}
	return out
}

// hellosFor returns our HELLO and neighbours' HELLOs stored under key, or
// with approximate, ours and those of the neighbours closest to key.
func (d *DHT) hellosFor(key Key, approximate bool) []*hello.Hello {
	var out []*hello.Hello
	if own := d.ownHello(); own != nil && (approximate || d.selfHelloKey == key) {
		out = append(out, own)
	}
	if !approximate {
		if p, ok := d.table.withHelloKey(key); ok {
			out = d.appendHello(out, p)
		}
		return out
	}
	n := approximateHellos
	for _, p := range d.table.closest(keyspace.OfKey(key), d.table.size(), nil) {
		if n > 0 || d.table.helloKey(p) == key {
			before := len(out)
			out = d.appendHello(out, p)
			n -= len(out) - before
		}
	}
	return out
}

// appendHello appends neighbour p's HELLO to out if it has one that has
// not expired.
func (d *DHT) appendHello(out []*hello.Hello, p identity.PeerID) []*hello.Hello {
	h := d.neighbours[p].hello
	if h == nil || h.Expired(d.env.Now()) {
		return out
	}
	return append(out, h)
}
