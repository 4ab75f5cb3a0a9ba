package core

import (
	"errors"
	"fmt"
)

var errEpoch = errors.New("core: frame key epoch out of range")

// receive authenticates one link frame and delivers its records. A replayed
// or too old frame is dropped; a frame that does not authenticate, or whose
// records are malformed, ends the link. The replay window and key epoch
// change only after a frame authenticated, so a forged frame changes no
// state.
func (l *link) receive(frame []byte) {
	c := l.core
	h, body, err := parseFrame(frame)
	if err != nil {
		c.stats.decryptFailures++
		c.dropLink(l, false, err.Error())
		return
	}
	if !l.recv.window.fresh(h.nonce) {
		c.stats.replayedFrames++
		return
	}
	plain, err := l.recv.open(h, frame[:frameHeaderSize], body)
	if err == nil {
		err = checkRecords(plain)
	}
	if err != nil {
		c.stats.decryptFailures++
		c.dropLink(l, false, fmt.Sprintf("invalid frame: %v", err))
		return
	}
	l.recv.window.mark(h.nonce)
	l.lastRecv = c.now()
	c.stats.framesIn++
	c.stats.bytesIn += uint64(len(frame))
	l.deliver(plain)
}

// open decrypts body in place with the key of the frame's epoch.
func (r *recvKeys) open(h frameHeader, ad, body []byte) ([]byte, error) {
	if h.epoch == r.epoch {
		return r.current.Decrypt(body[:0], h.nonce, ad, body)
	}
	if h.epoch == r.epoch-1 && r.previous != nil {
		return r.previous.Decrypt(body[:0], h.nonce, ad, body)
	}
	skip := h.epoch - r.epoch
	if skip > maxEpochSkip {
		return nil, errEpoch
	}
	prev, next := r.current, rekey(r.current)
	for i := uint8(1); i < skip; i++ {
		prev, next = next, rekey(next)
	}
	plain, err := next.Decrypt(body[:0], h.nonce, ad, body)
	if err != nil {
		return nil, err
	}
	r.previous, r.current, r.epoch = prev, next, h.epoch
	return plain, nil
}

// deliver hands each record to its service. A close record ends the link
// and the records after it are dropped.
func (l *link) deliver(plain []byte) {
	for len(plain) > 0 && l.alive() {
		s, msg, rest, _ := nextRecord(plain)
		plain = rest
		if s == serviceControl {
			l.control(msg)
			continue
		}
		h := l.core.handler(s)
		if h == nil {
			l.core.stats.unknownService++
			continue
		}
		l.core.stats.messagesIn++
		h.Receive(l.peer, msg)
	}
}

func (l *link) control(msg []byte) {
	if len(msg) > 0 && msg[0] == controlClose {
		c := l.core
		delete(c.conns, l.conn)
		l.conn.Close()
		c.linkDown(l, "closed by the peer")
	}
}
