package transport

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// readBufferSize is the bufio buffer of each reader. Frame bodies larger
// than what is buffered are read straight into the frame, so a small buffer
// costs nothing for large frames and batches the reads of small ones.
const readBufferSize = 16 << 10

// tcpConn is one TCP connection. Send, Close and Discard may run on any
// goroutine; the reader and writer goroutines own the socket's two halves.
//
// Lifecycle: the reader and the writer each end once, in any order. When the
// second one ends, the conn leaves the transport and Closed is posted. Every
// exit of the reader closes the socket, so a failing writer only needs to
// close the socket too and the reader follows.
type tcpConn struct {
	t       *TCP
	nc      *net.TCPConn
	br      *bufio.Reader
	frames  *FrameReader
	inbound bool
	local   string
	remote  string

	closing    atomic.Bool  // Close was called
	silent     atomic.Bool  // no more writes: Discard was called or an invalid prefix arrived
	discarding atomic.Bool  // Discard was called: frames not yet delivered are dropped
	running    atomic.Int32 // reader and writer goroutines still running

	wake    chan struct{} // capacity 1: the queue changed
	stopped chan struct{} // closed by abort, ends the writer's wait
	batch   []outChunk    // writer's current batch
	iov     net.Buffers   // writer's scratch list for vectored writes

	mu         sync.Mutex // guards the fields below
	queue      sendQueue
	aborted    bool
	err        error     // first failure, reported when Close was not called
	flushBy    time.Time // write deadline for the flush after Close; zero until then
	drainUntil time.Time // read deadline after the FIN; zero until then
	armedAt    time.Time // when the reader last moved the idle deadline
}

var _ Conn = (*tcpConn)(nil)

func newTCPConn(t *TCP, nc *net.TCPConn, inbound bool) *tcpConn {
	c := &tcpConn{
		t:       t,
		nc:      nc,
		inbound: inbound,
		local:   "tcp://" + nc.LocalAddr().String(),
		remote:  "tcp://" + nc.RemoteAddr().String(),
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}
	c.br = bufio.NewReaderSize(nc, readBufferSize)
	c.frames = NewFrameReader(c.br)
	return c
}

// start launches the reader and the writer. The caller has already posted
// the event that hands c to the owner, so frames arrive after it.
func (c *tcpConn) start() {
	c.running.Store(2)
	c.t.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
}

func (c *tcpConn) Inbound() bool      { return c.inbound }
func (c *tcpConn) LocalAddr() string  { return c.local }
func (c *tcpConn) RemoteAddr() string { return c.remote }

// Send implements Conn. The frame is copied, so the caller may reuse it.
func (c *tcpConn) Send(frame []byte) error {
	if err := checkFrameLength(len(frame)); err != nil {
		return err
	}
	c.mu.Lock()
	if c.closing.Load() || c.silent.Load() || c.aborted {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.queue.bytes+FrameHeaderSize+len(frame) > c.t.cfg.SendQueueBytes {
		c.mu.Unlock()
		return ErrQueueFull
	}
	c.queue.push(frame)
	c.mu.Unlock()
	c.wakeWriter()
	return nil
}

func (c *tcpConn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Close implements Conn: the writer flushes the queue within one
// WriteTimeout, then sends FIN, and the reader drops what arrives until the
// peer's FIN or DrainTimeout.
func (c *tcpConn) Close() {
	c.mu.Lock()
	already := c.closing.Swap(true)
	if !already {
		c.flushBy = time.Now().Add(c.t.cfg.WriteTimeout)
		// This also bounds a write that is already running.
		c.nc.SetWriteDeadline(c.flushBy)
	}
	c.mu.Unlock()
	if !already {
		c.wakeWriter()
	}
}

// armWriteDeadline sets the deadline of the next write: WriteTimeout from
// now, or the end of the flush once Close was called.
func (c *tcpConn) armWriteDeadline() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.flushBy.IsZero() {
		return c.nc.SetWriteDeadline(c.flushBy)
	}
	return c.nc.SetWriteDeadline(time.Now().Add(c.t.cfg.WriteTimeout))
}

// Discard implements Conn. A write that the writer already started still
// completes; nothing queued afterwards or still in the queue is written.
func (c *tcpConn) Discard() {
	c.discarding.Store(true)
	c.silence()
}

// silence stops all writing for good and drops the queue.
func (c *tcpConn) silence() {
	c.mu.Lock()
	c.silent.Store(true)
	c.queue.drop()
	c.mu.Unlock()
}

// abort records err as the failure unless one is already recorded, stops
// the writer and closes the socket, which ends the reader.
func (c *tcpConn) abort(err error) {
	c.mu.Lock()
	first := !c.aborted
	c.aborted = true
	if c.err == nil {
		c.err = err
	}
	c.queue.drop()
	c.mu.Unlock()
	if first {
		close(c.stopped)
		c.nc.Close()
	}
}

// exit ends one of the two goroutines; the second one to end reports
// Closed. Events the reader posted earlier are ahead of it in the loop's
// queue, so Closed is the last event of c.
func (c *tcpConn) exit() {
	defer c.t.wg.Done()
	if c.running.Add(-1) != 0 {
		return
	}
	c.t.forget(c)
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	c.t.env.Post(func() { c.reportClosed(err) })
}

// reportClosed runs on the loop. It decides there whether Close came first,
// so a Close that the owner called before seeing the event gives nil.
func (c *tcpConn) reportClosed(err error) {
	if c.closing.Load() {
		err = nil
	}
	c.t.log.Debug("conn closed", "remote", c.remote, "inbound", c.inbound, "err", err)
	c.t.h.Closed(c, err)
}

func (c *tcpConn) writeLoop() {
	defer c.exit()
	for {
		last, ok := c.nextBatch()
		if !ok {
			return
		}
		if err := c.writeBatch(); err != nil {
			c.abort(fmt.Errorf("transport: write to %s: %w", c.remote, err))
			return
		}
		if last {
			c.shutdownWrite()
			return
		}
	}
}

// nextBatch waits until there is something to write or Close was called,
// and moves the next batch into c.batch. last reports that the conn is
// closing and c.batch is the end of the queue.
func (c *tcpConn) nextBatch() (last, ok bool) {
	for {
		c.mu.Lock()
		c.batch = c.queue.take(c.batch[:0])
		last = c.closing.Load() && len(c.queue.chunks) == 0
		ok = !c.aborted
		c.mu.Unlock()
		if !ok || last || len(c.batch) > 0 {
			return last, ok
		}
		select {
		case <-c.wake:
		case <-c.stopped:
		}
	}
}

// writeBatch writes c.batch with one vectored write and then releases it.
func (c *tcpConn) writeBatch() error {
	if len(c.batch) == 0 {
		return nil
	}
	frames := 0
	iov := c.iov[:0]
	for _, chunk := range c.batch {
		iov = append(iov, chunk.buf)
		frames += chunk.frames
	}
	c.iov = iov
	err := c.armWriteDeadline()
	if err == nil {
		// WriteTo consumes its own copy of the list, so c.iov keeps the
		// backing array for the next batch.
		var n int64
		n, err = iov.WriteTo(c.nc)
		c.t.stats.bytesOut.Add(uint64(n))
	}
	clear(c.iov)
	c.mu.Lock()
	c.queue.finish(c.batch)
	c.mu.Unlock()
	if err == nil {
		c.t.stats.framesOut.Add(uint64(frames))
	}
	return err
}

// shutdownWrite sends FIN and gives the reader DrainTimeout to see the
// peer's FIN. Closing a socket that still has unread input makes the kernel
// send RST instead of FIN, so the reader keeps draining until then.
func (c *tcpConn) shutdownWrite() {
	if err := c.nc.CloseWrite(); err != nil {
		c.abort(fmt.Errorf("transport: shut down writes to %s: %w", c.remote, err))
		return
	}
	c.mu.Lock()
	c.drainUntil = time.Now().Add(c.t.cfg.DrainTimeout)
	err := c.nc.SetReadDeadline(c.drainUntil)
	c.mu.Unlock()
	if err != nil {
		c.abort(fmt.Errorf("transport: set drain deadline on %s: %w", c.remote, err))
	}
}
