package dht

import (
	"errors"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/dht/keyspace"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// ErrExpiryAfterBlock is wrapped when a message would keep a block longer
// than the block's own expiry.
var ErrExpiryAfterBlock = errors.New("message expiry after the block's own expiry")

// handlePut validates, stores and forwards a PUT from a neighbour. It does
// not check the recorded route. Our own entry names the sender as
// predecessor, so found.verifyStored, which checks a stored route before it
// is handed out, truncates it at the same entry as a check here would.
func (d *DHT) handlePut(from identity.PeerID, msg []byte) {
	m, err := wire.ParsePut(msg)
	var info block.Info
	if err == nil {
		info, err = d.checkBlock(block.Type(m.BlockType), m.Key, m.Block, m.Expires)
	}
	if err != nil {
		d.drop(from, wire.TypePut, err)
		return
	}
	rt := route{}
	if m.Options.Has(wire.RecordRoute) {
		rt = route{entries: m.Path, truncated: m.Options.Has(wire.Truncated), origin: m.TruncatedOrigin}
	}
	m.PeerFilter.Add(from)
	m.PeerFilter.Add(d.self)
	target := keyspace.OfKey(m.Key)
	if m.Options.Has(wire.DemultiplexEverywhere) || d.isClosest(target, &m.PeerFilter) {
		d.storeBlock(m, info, rt)
	}
	d.learnHello(block.Type(m.BlockType), m.Block)
	d.forwardPut(m, rt, d.nextHops(target, int(m.HopCount), int(m.Replication), &m.PeerFilter))
}

// checkBlock validates a block that a message carries with expiry expires.
func (d *DHT) checkBlock(typ block.Type, key Key, data []byte, expires time.Time) (block.Info, error) {
	now := d.env.Now()
	if !expires.After(now) {
		return block.Info{}, fmt.Errorf("dht: %s block: %w", typ, block.ErrExpired)
	}
	info, err := d.blocks.Check(typ, key, data, now)
	if err != nil {
		return info, err
	}
	if !info.Expires.IsZero() && expires.After(info.Expires) {
		return info, fmt.Errorf("dht: %s block: %w", typ, ErrExpiryAfterBlock)
	}
	return info, nil
}

// storeBlock keeps the block of m with its recorded route.
func (d *DHT) storeBlock(m *wire.Put, info block.Info, rt route) {
	r := datastore.Record{
		Key: m.Key, Type: block.Type(m.BlockType), Identity: info.Identity,
		Expires: m.Expires, Data: m.Block,
		PutPath: rt.entries, Truncated: rt.truncated, TruncatedOrigin: rt.origin,
	}
	d.putRecord(r)
}

func (d *DHT) putRecord(r datastore.Record) {
	if _, err := d.store.Put(d.env.Now(), r); err != nil {
		d.log.Error("datastore put failed", "type", r.Type, "err", err)
	}
}

// forwardPut sends m, one hop further, to each of next. With RecordRoute,
// each copy carries our path entry signed for its own successor.
func (d *DHT) forwardPut(m *wire.Put, rt route, next []identity.PeerID) {
	out := *m
	out.HopCount++
	hash := block.HashData(m.Block)
	room := (core.MaxMessageSize - wire.PutHeaderSize - identity.PeerIDSize - len(m.Block)) / wire.PathEntrySize
	for _, p := range next {
		if m.Options.Has(wire.RecordRoute) {
			ext := rt.extend(d.key, m.Expires, hash, p, room)
			out.Path, out.TruncatedOrigin = ext.entries, ext.origin
			out.Options = m.Options&^wire.Truncated | ext.options()
		}
		d.send(p, wire.TypePut, out.Append(nil))
	}
}

// learnHello offers a HELLO block seen in transit to maybeConnect.
func (d *DHT) learnHello(typ block.Type, data []byte) {
	if typ != block.TypeHello {
		return
	}
	if h, err := d.hellos.Parse(data); err == nil {
		d.maybeConnect(h)
	}
}
