package core

import (
	"errors"
	"sync"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/transport"
)

// Send queues msg for the neighbour to. Messages sent in one turn of the
// loop are batched into as few frames as fit transport.MaxFrameSize and
// sealed when the turn ends. When the link's queue would pass
// Config.SendQueueBytes, Send drops msg and returns ErrQueueFull: the
// newest message is dropped, queued ones are kept. msg is copied, so the
// caller keeps it.
func (c *Core) Send(to identity.PeerID, s Service, msg []byte) error {
	switch {
	case s == serviceControl || c.handler(s) == nil:
		return ErrUnregistered
	case len(msg) > MaxMessageSize:
		return ErrTooLarge
	}
	l := c.links[to]
	if l == nil {
		return ErrNoLink
	}
	if !l.enqueue(s, msg, false) {
		c.stats.queueFull++
		return ErrQueueFull
	}
	l.scheduleFlush()
	return nil
}

// SendRoom returns how many more message bytes the link to peer accepts
// before Send returns ErrQueueFull, or 0 when no link is up. A service
// that can wait, like a CADET channel with data to send, checks it so that
// its messages are not dropped at its own door.
func (c *Core) SendRoom(to identity.PeerID) int {
	l := c.links[to]
	if l == nil {
		return 0
	}
	return max(c.cfg.SendQueueBytes-l.queued, 0)
}

// enqueue appends one record to the last batch, or starts a new one. force
// skips the queue bound, for CORE's own small control records.
func (l *link) enqueue(s Service, msg []byte, force bool) bool {
	size := recordHeaderSize + len(msg)
	if !force && l.queued+size > l.core.cfg.SendQueueBytes {
		return false
	}
	n := len(l.queue)
	if n == 0 || len(l.queue[n-1])+size > frameHeaderSize+maxPlaintext {
		l.queue = append(l.queue, newBatch(size))
		n++
	}
	l.queue[n-1] = appendRecord(l.queue[n-1], s, msg)
	l.queued += size
	if s != serviceControl {
		l.core.stats.messagesOut++
	}
	return true
}

// scheduleFlush seals the queue at the end of the current loop turn, so
// messages sent in the same turn share frames.
func (l *link) scheduleFlush() {
	if l.flushPosted || l.retry != nil {
		return
	}
	l.flushPosted = true
	l.core.env.Post(func() {
		l.flushPosted = false
		if l.alive() {
			l.flush()
		}
	})
}

// flush seals queued batches and hands them to the transport until the
// transport refuses one; then it retries after sendRetryDelay.
func (l *link) flush() {
	for l.refused != nil || len(l.queue) > 0 {
		if l.refused == nil {
			l.refused = l.seal(l.queue[0])
			l.queue[0] = nil
			l.queue = l.queue[1:]
		}
		err := l.conn.Send(l.refused)
		if errors.Is(err, transport.ErrQueueFull) {
			l.armRetry()
			return
		}
		// A frame the transport rejects for any other reason is dropped: the
		// connection is failing, and its Closed event ends the link.
		l.queued -= len(l.refused) - frameHeaderSize - tagSize
		if err == nil {
			l.sent(len(l.refused))
		}
		releaseBatch(l.refused)
		l.refused = nil
	}
	if len(l.queue) == 0 {
		l.queue = nil
	}
}

func (l *link) sent(frameLen int) {
	l.lastSent = l.core.now()
	l.core.stats.framesOut++
	l.core.stats.bytesOut += uint64(frameLen)
}

func (l *link) armRetry() {
	if l.retry != nil {
		return
	}
	l.retry = l.core.env.After(sendRetryDelay, func() {
		l.retry = nil
		l.flush()
	})
}

// seal encrypts a batch in place: the header goes into the reserved bytes
// and is the associated data, the ciphertext overwrites the records.
func (l *link) seal(batch []byte) []byte {
	k := &l.send
	now := l.core.now()
	cfg := &l.core.cfg
	if k.epochFrames >= cfg.RekeyFrames || now.Sub(k.epochStart) >= cfg.RekeyInterval {
		k.cipher = rekey(k.cipher)
		k.epoch++
		k.epochFrames, k.epochStart = 0, now
		l.core.stats.rekeys++
	}
	header := frameHeader{epoch: k.epoch, nonce: k.nonce}.Append(batch[:0])
	frame := k.cipher.Encrypt(header, k.nonce, header, batch[frameHeaderSize:])
	k.nonce++
	k.epochFrames++
	return frame
}

// pooledBatchMin is the first record size from which a batch takes a
// full-size buffer from batchPool. Smaller batches get a buffer of their
// own size, so a link that sends a few small messages holds no 65 KiB.
const pooledBatchMin = 8 << 10

// batchPool recycles the buffers of large batches. transport.Conn.Send
// copies a frame, so a batch's buffer is free again once Send returns, and
// bulk traffic neither allocates nor zeroes a buffer per frame.
var batchPool = sync.Pool{New: func() any {
	b := make([]byte, 0, transport.MaxFrameSize)
	return &b
}}

// newBatch returns an empty batch, with its header bytes reserved, that
// takes a first record of size bytes.
func newBatch(size int) []byte {
	if size < pooledBatchMin {
		return make([]byte, frameHeaderSize, frameHeaderSize+size+tagSize)
	}
	return (*batchPool.Get().(*[]byte))[:frameHeaderSize]
}

// releaseBatch returns a sealed frame's buffer to batchPool once the
// transport no longer needs it. Buffers not from the pool are left to the
// garbage collector.
func releaseBatch(frame []byte) {
	if cap(frame) != transport.MaxFrameSize {
		return
	}
	frame = frame[:0]
	batchPool.Put(&frame)
}
