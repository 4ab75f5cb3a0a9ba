package transport

import (
	"errors"
	"fmt"
	"io"
	"time"
)

func (c *tcpConn) readLoop() {
	defer c.exit()
	err := c.readFrames()
	c.abort(c.describeReadError(err))
}

// readFrames posts each frame to the loop until the stream fails, ends, or
// the conn turns silent or starts closing; then it drains.
func (c *tcpConn) readFrames() error {
	for !c.silent.Load() && !c.closing.Load() {
		if err := c.armReadDeadline(); err != nil {
			return err
		}
		frame, err := c.frames.ReadFrame()
		if errors.Is(err, ErrFrameTooLong) || errors.Is(err, ErrEmptyFrame) {
			c.rejectStream(err)
			break
		}
		if err != nil {
			return err
		}
		c.t.env.Post(func() { c.deliver(frame) })
	}
	return c.drain()
}

// rejectStream handles an invalid length prefix. The stream position is
// lost, and any reply would reveal to a prober that something listens here,
// so the conn turns into a silent sink. Unlike Discard, frames that arrived
// before the invalid prefix are still delivered.
func (c *tcpConn) rejectStream(err error) {
	c.t.stats.invalidPrefixes.Add(1)
	c.t.log.Debug("invalid length prefix, discarding conn", "remote", c.remote, "err", err)
	c.silence()
}

// deliver runs on the loop, so a Close or Discard the owner called before
// it takes effect here.
func (c *tcpConn) deliver(frame []byte) {
	if c.closing.Load() || c.discarding.Load() {
		return
	}
	c.t.stats.framesIn.Add(1)
	c.t.stats.bytesIn.Add(uint64(FrameHeaderSize + len(frame)))
	c.t.h.Received(c, frame)
}

// drain reads and drops everything until the stream ends or a deadline
// passes.
func (c *tcpConn) drain() error {
	for {
		if err := c.armReadDeadline(); err != nil {
			return err
		}
		if _, err := c.br.Peek(1); err != nil {
			return err
		}
		n, _ := c.br.Discard(c.br.Buffered())
		c.t.stats.bytesDiscarded.Add(uint64(n))
	}
}

// armReadDeadline moves the idle deadline forward. Once shutdownWrite set
// the drain deadline it stays, under the same lock, so the two cannot race.
// To save timer updates it moves the deadline only when an eighth of the
// idle timeout has passed since the last move, and sets it an eighth beyond
// the idle timeout, so a silent peer is cut off after between 1 and 1.125
// idle timeouts.
func (c *tcpConn) armReadDeadline() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.drainUntil.IsZero() {
		return nil
	}
	now := time.Now()
	if now.Sub(c.armedAt) < c.t.cfg.IdleTimeout/8 {
		return nil
	}
	c.armedAt = now
	return c.nc.SetReadDeadline(now.Add(c.t.cfg.IdleTimeout + c.t.cfg.IdleTimeout/8))
}

// describeReadError wraps the reader's final error for the Closed event.
func (c *tcpConn) describeReadError(err error) error {
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("transport: %s closed the connection: %w", c.remote, ErrClosed)
	case errors.As(err, &timeout) && timeout.Timeout():
		return fmt.Errorf("transport: %s idle for %v: %w", c.remote, c.t.cfg.IdleTimeout, err)
	default:
		return fmt.Errorf("transport: read from %s: %w", c.remote, err)
	}
}
