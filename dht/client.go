package dht

import (
	"fmt"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// Put validates a block, stores it locally and sends it into the network.
// An expiry later than the block's own is lowered to it. It returns an
// error if the block is invalid or already expired.
func (d *DHT) Put(key Key, typ BlockType, data []byte, expires time.Time, opts PutOptions) error {
	d.stats.puts++
	now := d.env.Now()
	info, err := d.blocks.Check(typ, key, data, now)
	if err != nil {
		return fmt.Errorf("dht: put %s block: %w", typ, err)
	}
	if !info.Expires.IsZero() && expires.After(info.Expires) {
		expires = info.Expires
	}
	expires = wire.MicrosToTime(wire.TimeToMicros(expires))
	if !expires.After(now) {
		return fmt.Errorf("dht: put %s block: %w at %v", typ, block.ErrExpired, expires)
	}
	m := &wire.Put{
		Options: putOptions(opts), Replication: uint16(d.replication(opts.Replication)),
		BlockType: uint32(typ), Expires: expires, Key: key, Block: append([]byte(nil), data...),
	}
	m.PeerFilter.Add(d.self)
	d.putRecord(datastore.Record{Key: key, Type: typ, Identity: info.Identity, Expires: expires, Data: m.Block})
	d.forwardPut(m, route{}, d.nextHops(keyspaceOf(key), 0, int(m.Replication), &m.PeerFilter))
	return nil
}

func putOptions(o PutOptions) wire.Options {
	var w wire.Options
	if o.RecordRoute {
		w |= wire.RecordRoute
	}
	if o.DemultiplexEverywhere {
		w |= wire.DemultiplexEverywhere
	}
	return w
}

func (d *DHT) replication(r int) int {
	if r <= 0 || d.cfg.Mode == ModeKademlia {
		return d.cfg.Replication
	}
	return min(r, MaxReplication)
}

// GetHandle cancels a running Get.
type GetHandle struct{ op *getOp }

// Cancel stops the Get; onDone is not called afterwards.
func (h GetHandle) Cancel() {
	if h.op != nil {
		h.op.stop()
	}
}

// Get looks up blocks of type typ (block.TypeAny for every type) under
// key. onResult runs for each new valid block; onDone runs once when the
// timeout passes, or at the first result for block types whose plugin marks
// blocks as unique (unless FindApproximate is set). The GET is sent again
// at growing intervals until then, with a result filter of the blocks
// already received.
func (d *DHT) Get(key Key, typ BlockType, opts GetOptions, onResult func(Result), onDone func()) GetHandle {
	d.stats.gets++
	return d.get(key, typ, opts, d.cfg.GetRetry, onResult, onDone)
}

// get starts a GET that is sent again after retry, doubling each time.
func (d *DHT) get(key Key, typ BlockType, opts GetOptions, retry time.Duration, onResult func(Result), onDone func()) GetHandle {
	op := &getOp{
		d: d, rk: requestKey{key: key, typ: typ}, opts: opts, onResult: onResult, onDone: onDone,
		seen: make(map[[64]byte]bool), interval: retry,
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = d.cfg.GetTimeout
	}
	d.gets[op.rk] = append(d.gets[op.rk], op)
	op.timeout = d.env.After(timeout, op.finish)
	d.answerLocally(op.rk, op.wireOptions(), opts.FindApproximate)
	if op.done {
		return GetHandle{op}
	}
	op.send()
	return GetHandle{op}
}

// LookupHello finds the HELLO of peer through the DHT and calls found with
// it and its route (when opts.RecordRoute is set), or calls found with nil
// when the lookup times out.
func (d *DHT) LookupHello(peer identity.PeerID, opts GetOptions, found func(*hello.Hello, Result)) GetHandle {
	opts.FindApproximate = false
	done := false
	onResult := func(r Result) {
		h, err := d.hellos.Parse(r.Data)
		if err != nil || h.Peer != peer || done {
			return
		}
		done = true
		found(h, r)
	}
	onDone := func() {
		if !done {
			found(nil, Result{})
		}
	}
	return d.Get(block.HelloKey(peer), block.TypeHello, opts, onResult, onDone)
}

// getOp is a Get started on this peer.
type getOp struct {
	d        *DHT
	rk       requestKey
	opts     GetOptions
	onResult func(Result)
	onDone   func()
	seen     map[[64]byte]bool
	timeout  loop.Timer
	retry    loop.Timer
	interval time.Duration
	done     bool
}

func (op *getOp) wireOptions() wire.Options {
	var w wire.Options
	if op.opts.RecordRoute {
		w |= wire.RecordRoute
	}
	if op.opts.FindApproximate {
		w |= wire.FindApproximate
	}
	if op.opts.DemultiplexEverywhere {
		w |= wire.DemultiplexEverywhere
	}
	return w
}

// send sends the GET with a fresh result filter and arms the next retry.
func (op *getOp) send() {
	d := op.d
	filter := block.NewResultFilter(uint32(loop.Uint64(d.env.Rand())), len(op.seen))
	for k := range op.seen {
		filter.Add(k)
	}
	m := &wire.Get{
		Options: op.wireOptions(), Replication: uint16(d.replication(op.opts.Replication)),
		BlockType: uint32(op.rk.typ), FilterMutator: filter.Mutator, Key: op.rk.key, ResultFilter: filter.Bits,
	}
	m.PeerFilter.Add(d.self)
	d.forwardGet(m, 0)
	op.retry = d.env.After(op.interval, op.send)
	op.interval *= 2
}

// offer hands a result to the Get unless it was seen before.
func (op *getOp) offer(f *found, fk [64]byte, exact bool) {
	if op.done || op.seen[fk] || (!exact && !op.opts.FindApproximate) || (op.opts.FindApproximate && op.d.isOwnHello(f)) {
		return
	}
	op.seen[fk] = true
	op.onResult(f.toResult())
	if !op.done && exact && !op.opts.FindApproximate && op.d.isFinal(op.rk, f) {
		op.finish()
	}
}

// finish ends the Get and calls onDone.
func (op *getOp) finish() {
	if op.done {
		return
	}
	op.stop()
	if op.onDone != nil {
		op.onDone()
	}
}

// stop ends the Get without calling onDone.
func (op *getOp) stop() {
	if op.done {
		return
	}
	op.done = true
	op.stopTimers()
	ops := op.d.gets[op.rk]
	for i, o := range ops {
		if o == op {
			ops = append(ops[:i:i], ops[i+1:]...)
			break
		}
	}
	if len(ops) == 0 {
		delete(op.d.gets, op.rk)
	} else {
		op.d.gets[op.rk] = ops
	}
}

func (op *getOp) stopTimers() {
	for _, t := range []loop.Timer{op.timeout, op.retry} {
		if t != nil {
			t.Stop()
		}
	}
}
