package transport

import "sync"

// chunkSize is the capacity of the buffers that Send copies frames into. One
// chunk holds at least one maximal frame with its prefix, so a frame never
// spans two chunks.
const chunkSize = 128 << 10

// maxWriteBatch bounds the bytes the writer takes for one vectored write:
// eight 64 KiB frames. The queue frees a batch's bytes only once the whole
// write ends, so a smaller batch lets Send succeed again sooner while a slow
// peer reads.
const maxWriteBatch = 512 << 10

var chunkPool = sync.Pool{New: func() any {
	b := make([]byte, 0, chunkSize)
	return &b
}}

// outChunk is a buffer of whole frames, each with its length prefix.
type outChunk struct {
	buf    []byte
	frames int
}

// sendQueue holds a connection's frames between Send and the end of their
// write. The connection's mutex guards it.
type sendQueue struct {
	chunks []outChunk
	bytes  int // bytes in chunks plus bytes taken by a write still running
}

// push copies frame with its prefix into the last chunk, or into a new one
// when it does not fit. The caller has checked the frame's length.
func (q *sendQueue) push(frame []byte) {
	need := FrameHeaderSize + len(frame)
	last := len(q.chunks) - 1
	if last < 0 || cap(q.chunks[last].buf)-len(q.chunks[last].buf) < need {
		q.chunks = append(q.chunks, outChunk{buf: (*chunkPool.Get().(*[]byte))[:0]})
		last++
	}
	q.chunks[last].buf, _ = AppendFrame(q.chunks[last].buf, frame)
	q.chunks[last].frames++
	q.bytes += need
}

// take moves chunks from the front of the queue to batch, at least one and
// no more than maxWriteBatch bytes unless the first chunk alone is larger.
// Their bytes stay counted until finish.
func (q *sendQueue) take(batch []outChunk) []outChunk {
	size, k := 0, 0
	for k < len(q.chunks) && (k == 0 || size+len(q.chunks[k].buf) <= maxWriteBatch) {
		size += len(q.chunks[k].buf)
		k++
	}
	batch = append(batch, q.chunks[:k]...)
	n := copy(q.chunks, q.chunks[k:])
	clear(q.chunks[n:])
	q.chunks = q.chunks[:n]
	return batch
}

// finish uncounts a batch after its write and returns its buffers to the
// pool.
func (q *sendQueue) finish(batch []outChunk) {
	for i := range batch {
		q.bytes -= len(batch[i].buf)
		recycle(batch[i].buf)
		batch[i] = outChunk{}
	}
}

// drop empties the queue; a batch already taken stays counted until finish.
func (q *sendQueue) drop() {
	for i := range q.chunks {
		q.bytes -= len(q.chunks[i].buf)
		recycle(q.chunks[i].buf)
	}
	clear(q.chunks)
	q.chunks = q.chunks[:0]
}

func recycle(buf []byte) {
	if cap(buf) == chunkSize {
		buf = buf[:0]
		chunkPool.Put(&buf)
	}
}
