package dht

import (
	"errors"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

// errUnsolicited marks a RESULT that no remembered GET asked for.
var errUnsolicited = errors.New("dht: RESULT for no pending GET")

// found is a result on its way to the requests waiting for it: the message
// without paths, and the put path and get path as one route whose first
// putLen entries are the put path.
type found struct {
	msg    wire.Result
	rt     route
	putLen int
}

func foundFromRecord(r datastore.Record) *found {
	f := &found{
		msg:    wire.Result{BlockType: uint32(r.Type), Expires: r.Expires, BlockKey: r.Key, Block: r.Data},
		rt:     route{entries: r.PutPath, truncated: r.Truncated, origin: r.TruncatedOrigin},
		putLen: len(r.PutPath),
	}
	return f
}

// verifyStored checks the whole put path of a stored block, whose newest
// entry names this peer as successor.
func (f *found) verifyStored(cache *VerifyCache, self identity.PeerID) {
	f.putLen -= f.rt.verifyWith(cache, self, f.msg.Expires, block.HashData(f.msg.Block), -1)
}

func foundFromHello(h *hello.Hello) *found {
	return &found{msg: wire.Result{
		BlockType: uint32(block.TypeHello), Expires: h.Expires,
		BlockKey: block.HelloKey(h.Peer), Block: h.Marshal(),
	}}
}

// handleResult validates a RESULT from a neighbour, caches its block and
// passes it on to the requests waiting for it. Only a peer with a local GET
// for it checks the recorded route, all of it. A hop that passes the result
// on signs the sender as its predecessor, so the requester's check
// truncates the route where a check at that hop would have.
func (d *DHT) handleResult(from identity.PeerID, msg []byte) {
	m, err := wire.ParseResult(msg)
	var info block.Info
	if err == nil {
		info, err = d.checkBlock(block.Type(m.BlockType), m.BlockKey, m.Block, m.Expires)
	}
	if err == nil && !d.pending(m) {
		err = errUnsolicited
	}
	if err != nil {
		d.drop(from, wire.TypeResult, err)
		return
	}
	f := &found{msg: *m, putLen: len(m.PutPath)}
	f.msg.PutPath, f.msg.GetPath = nil, nil
	if m.Options.Has(wire.RecordRoute) {
		f.rt = route{entries: append(m.PutPath, m.GetPath...), truncated: m.Options.Has(wire.Truncated), origin: m.TruncatedOrigin}
		if len(d.gets[requestKey{key: m.QueryKey, typ: block.Type(m.BlockType)}])+len(d.gets[requestKey{key: m.QueryKey}]) > 0 {
			f.putLen = max(0, f.putLen-f.rt.verifyWith(d.cfg.VerifyCache, d.self, m.Expires, block.HashData(m.Block), -1))
		}
	}
	d.cacheResult(m, info)
	d.learnHello(block.Type(m.BlockType), m.Block)
	d.deliver(f, from)
}

// pending reports whether a remembered or local GET waits for m.
func (d *DHT) pending(m *wire.Result) bool {
	now := d.env.Now()
	for _, typ := range []block.Type{block.Type(m.BlockType), block.TypeAny} {
		rk := requestKey{key: m.QueryKey, typ: typ}
		if len(d.requests.lookup(rk, now)) > 0 || len(d.gets[rk]) > 0 {
			return true
		}
	}
	return false
}

// cacheResult stores a block seen in transit, without its route, whose
// signatures name the original storer and would not verify from here.
// HELLOs are not cached. A result served from such a copy would carry no
// put path, so the requester would take this peer for the target's
// neighbour and build a CADET path through a link that does not exist.
func (d *DHT) cacheResult(m *wire.Result, info block.Info) {
	if d.cfg.DisableCache || block.Type(m.BlockType) == block.TypeHello {
		return
	}
	d.putRecord(datastore.Record{
		Key: m.BlockKey, Type: block.Type(m.BlockType), Identity: info.Identity,
		Expires: m.Expires, Data: append([]byte(nil), m.Block...),
	})
}

// deliver passes f to every request and local GET waiting for it, except
// the neighbour it came from. A request skips blocks that its result
// filter already contains, so it gets each block at most once.
func (d *DHT) deliver(f *found, sender identity.PeerID) {
	p, ok := d.blocks.Lookup(block.Type(f.msg.BlockType))
	if !ok {
		return
	}
	fk := p.FilterKey(f.msg.Block)
	exact := f.msg.BlockKey == f.msg.QueryKey
	for _, typ := range []block.Type{block.Type(f.msg.BlockType), block.TypeAny} {
		rk := requestKey{key: f.msg.QueryKey, typ: typ}
		for _, r := range d.requests.lookup(rk, d.env.Now()) {
			if r.from == sender || (!exact && !r.opts.Has(wire.FindApproximate)) || r.filter.Contains(fk) || isHelloOf(f, r.from) {
				continue
			}
			r.filter.Add(fk)
			d.sendResult(f, r)
		}
		for _, op := range append([]*getOp(nil), d.gets[rk]...) {
			op.offer(f, fk, exact)
		}
	}
}

// sendResult sends f back to the neighbour of request r, extending the get
// path with our signed entry if r asked for routes.
func (d *DHT) sendResult(f *found, r *request) {
	m := f.msg
	m.Options = 0
	if r.opts.Has(wire.RecordRoute) {
		room := (core.MaxMessageSize - wire.ResultHeaderSize - identity.PeerIDSize - len(m.Block)) / wire.PathEntrySize
		ext := f.rt.extend(d.key, m.Expires, block.HashData(m.Block), r.from, room)
		putLen := max(0, f.putLen-(len(f.rt.entries)+1-len(ext.entries)))
		m.PutPath, m.GetPath = ext.entries[:putLen], ext.entries[putLen:]
		m.TruncatedOrigin = ext.origin
		m.Options = wire.RecordRoute | ext.options()
	}
	d.send(r.from, wire.TypeResult, m.Append(nil))
}

// toResult converts f for the API.
func (f *found) toResult() Result {
	get := f.rt.entries[min(f.putLen, len(f.rt.entries)):]
	return Result{
		Key: f.msg.BlockKey, Type: block.Type(f.msg.BlockType),
		Data: append([]byte(nil), f.msg.Block...), Expires: f.msg.Expires,
		PutPath:   peersOf(f.rt.entries[:min(f.putLen, len(f.rt.entries))]),
		GetPath:   peersOf(get),
		Truncated: f.rt.truncated, TruncatedOrigin: f.rt.origin,
	}
}

// isHelloOf reports whether f is the HELLO of peer p, which a lookup never
// returns to p itself.
func isHelloOf(f *found, p identity.PeerID) bool {
	return block.Type(f.msg.BlockType) == block.TypeHello && f.msg.BlockKey == block.HelloKey(p)
}

func (d *DHT) isOwnHello(f *found) bool { return isHelloOf(f, d.self) }
