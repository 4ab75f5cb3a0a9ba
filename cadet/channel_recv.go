package cadet

import (
	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/loop"
)

// rmsg is a received message not yet fully read.
type rmsg struct {
	data     []byte
	off      int
	fin      bool
	consumed bool
}

// receiver is the receiving half of a channel.
//
// Flow control: the receiver buffers at most capacity messages, those with
// sequence numbers in [readBase, readBase+capacity), where readBase is the
// oldest message the application has not read. It advertises
// windowEnd = readBase+capacity, which never shrinks, so a sender that
// respects it never has a message dropped for lack of space, and a slow
// reader slows the sender instead of causing retransmissions.
type receiver struct {
	capacity   uint32
	readBase   uint32
	cumAck     uint32 // oldest message not received
	slots      map[uint32]*rmsg
	arrivals   []uint32 // unordered mode: readable messages in arrival order
	finSeq     uint32
	finKnown   bool
	advertised uint32
	unacked    int
	ackTimer   loop.Timer
	dgrams     [][]byte // unreliable mode
	maxSlots   int      // most messages ever buffered, for tests
}

func (r *receiver) init(capacity uint32) {
	r.capacity, r.readBase, r.cumAck = capacity, 1, 1
	r.advertised = 1 + capacity
	r.slots = map[uint32]*rmsg{}
}

// acceptFirst stores the payload of the channel open as message 0.
func (r *receiver) acceptFirst(p []byte, rel Reliability) {
	if len(p) == 0 {
		return
	}
	if rel == Unreliable {
		r.dgrams = append(r.dgrams, p)
		return
	}
	r.readBase = 0
	r.slots[0] = &rmsg{data: p}
	r.arrivals = append(r.arrivals, 0)
}

func (r *receiver) windowEnd() uint32 { return r.readBase + r.capacity }

func (r *receiver) finReceived() bool { return r.finKnown && seqLess(r.finSeq, r.cumAck) }

// eof reports whether everything up to the peer's FIN was read.
func (r *receiver) eof() bool { return r.finKnown && r.readBase == r.finSeq+1 }

// receiveData stores one data message. It acknowledges at once a FIN and
// anything out of order, duplicate or outside the window, and otherwise
// every second message or after ackDelay.
func (ch *channel) receiveData(m *wire.ChannelData) {
	if ch.state != chanOpen {
		return
	}
	r := &ch.rcv
	if ch.rel == Unreliable {
		r.receiveDatagram(ch, m.Payload)
		return
	}
	if seqLess(m.Seq, r.cumAck) || r.slots[m.Seq] != nil || !seqLess(m.Seq, r.windowEnd()) {
		r.sendAck(ch, 0)
		return
	}
	r.store(ch, m)
	if m.Seq+1 != r.cumAck || m.Flags&wire.FlagFIN != 0 {
		// NOTE: a FIN is acknowledged at once because the channel may be
		// removed right after. If that acknowledgement is lost, the peer
		// retransmits its FIN to a channel that is gone, which drops it,
		// until the peer gives up after giveUpAfter. There is no TCP-style
		// TIME-WAIT state that would answer it.
		r.sendAck(ch, 0)
	} else if r.unacked++; r.unacked >= 2 {
		r.sendAck(ch, 0)
	} else if r.ackTimer == nil {
		r.ackTimer = ch.t.e.env.After(ackDelay, func() { r.ackTimer = nil; r.sendAck(ch, 0) })
	}
	ch.app.notifyReadable()
	ch.maybeFinish()
}

func (r *receiver) store(ch *channel, m *wire.ChannelData) {
	// m.Payload is the channel's own (see tunnel.dispatch).
	slot := &rmsg{data: m.Payload, fin: m.Flags&wire.FlagFIN != 0}
	r.slots[m.Seq] = slot
	r.maxSlots = max(r.maxSlots, len(r.slots))
	if slot.fin {
		r.finSeq, r.finKnown = m.Seq, true
	}
	for r.slots[r.cumAck] != nil {
		r.cumAck++
	}
	switch {
	case ch.closedLocal:
		slot.consumed = true
		r.advanceReadBase()
	case ch.rel == ReliableUnordered && !slot.fin:
		r.arrivals = append(r.arrivals, m.Seq)
	case ch.rel == ReliableUnordered:
		slot.consumed = true
		r.advanceReadBase()
	}
}

func (r *receiver) receiveDatagram(ch *channel, p []byte) {
	if len(r.dgrams) >= int(r.capacity) {
		ch.t.e.stats.DatagramsDropped++
		return
	}
	r.dgrams = append(r.dgrams, p)
	ch.app.notifyReadable()
}

// read copies readable data into p and sends a window update when reading
// opened a quarter of the window or more.
func (r *receiver) read(ch *channel, p []byte) int {
	var n int
	switch ch.rel {
	case Unreliable:
		n = r.readDatagram(p)
	case ReliableUnordered:
		n = r.readUnordered(p)
	default:
		n = r.readOrdered(p)
	}
	if ch.rel != Unreliable && ch.state == chanOpen && r.windowEnd()-r.advertised >= max(r.capacity/4, 1) {
		r.sendAck(ch, 0)
	}
	return n
}

func (r *receiver) readDatagram(p []byte) int {
	if len(r.dgrams) == 0 || len(p) == 0 {
		return 0
	}
	n := copy(p, r.dgrams[0])
	if n < len(r.dgrams[0]) {
		r.dgrams[0] = r.dgrams[0][n:]
	} else {
		r.dgrams = r.dgrams[1:]
	}
	return n
}

func (r *receiver) readOrdered(p []byte) int {
	n := 0
	for n < len(p) {
		slot := r.slots[r.readBase]
		if slot == nil || slot.fin && len(slot.data) == slot.off {
			break
		}
		c := copy(p[n:], slot.data[slot.off:])
		slot.off += c
		n += c
		if slot.off == len(slot.data) && !slot.fin {
			delete(r.slots, r.readBase)
			r.readBase++
		}
	}
	r.skipFIN()
	return n
}

// skipFIN consumes the FIN message once everything before it was read.
func (r *receiver) skipFIN() {
	if slot := r.slots[r.readBase]; slot != nil && slot.fin && slot.off == len(slot.data) {
		delete(r.slots, r.readBase)
		r.readBase++
	}
}

func (r *receiver) readUnordered(p []byte) int {
	if len(r.arrivals) == 0 || len(p) == 0 {
		return 0
	}
	seq := r.arrivals[0]
	slot := r.slots[seq]
	n := copy(p, slot.data[slot.off:])
	slot.off += n
	if slot.off == len(slot.data) {
		slot.consumed = true
		r.arrivals = r.arrivals[1:]
		r.advanceReadBase()
	}
	return n
}

func (r *receiver) advanceReadBase() {
	for {
		slot := r.slots[r.readBase]
		if slot == nil || !slot.consumed {
			return
		}
		delete(r.slots, r.readBase)
		r.readBase++
	}
}

// discardAll drops unread data after a local close; the peer still gets
// acknowledgements, so it does not retransmit.
func (r *receiver) discardAll(ch *channel) {
	for seq, slot := range r.slots {
		slot.consumed = true
		if seqLess(seq, r.readBase) {
			delete(r.slots, seq)
		}
	}
	r.arrivals, r.dgrams = nil, nil
	r.advanceReadBase()
	r.sendAck(ch, 0)
}

// sendAck sends this side's receive state: cumulative ack, SACK bits for
// the 64 messages after it, and the window.
func (r *receiver) sendAck(ch *channel, flags wire.AckFlags) {
	stopTimer(&r.ackTimer)
	r.unacked = 0
	m := &wire.ChannelAck{CTN: ch.ctn, CumAck: r.cumAck, WindowEnd: r.windowEnd(), Flags: flags}
	for i := range uint32(64) {
		if r.slots[r.cumAck+1+i] != nil {
			m.SACK |= 1 << i
		}
	}
	r.advertised = m.WindowEnd
	ch.t.sendTunnel(m.Append(nil))
}

func (r *receiver) stop() { stopTimer(&r.ackTimer) }
