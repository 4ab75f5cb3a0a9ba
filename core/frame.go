package core

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hush-overlay/hush/transport"
)

// Link frames. After the handshake every transport frame on a link is:
//
//	+-------+----------------------+--------------------------------+
//	| epoch | nonce (uint64 BE)    | ChaCha20-Poly1305 ciphertext   |
//	| 1 B   | 8 B                  | of the records, then 16 B tag  |
//	+-------+----------------------+--------------------------------+
//
// The 9 header bytes are the AEAD's associated data. The nonce counts frames
// per direction from 0 and never repeats, so frames that a lossy transport
// drops or reorders leave later frames decryptable. The receiver keeps a
// sliding window to drop replays. The epoch counts rekeys modulo 256: each
// rekey replaces the key k with Noise's REKEY(k), the first 32 bytes of
// ENCRYPT(k, 2^64-1, "", 32 zero bytes).
//
// The plaintext is one or more records, so several small service messages
// share one AEAD operation and one transport write:
//
//	+-------------+---------------------+----------------+
//	| service 1 B | length (uint16 BE)  | message bytes  |
//	+-------------+---------------------+----------------+
//
// Records of service 0 are CORE's control messages; their first byte is the
// control kind.
const (
	frameHeaderSize  = 1 + 8
	tagSize          = 16
	recordHeaderSize = 1 + 2
	// maxPlaintext is the largest record batch that fits one transport frame.
	maxPlaintext = transport.MaxFrameSize - frameHeaderSize - tagSize
)

// Control kinds, the first byte of a service-0 record.
const (
	controlKeepalive byte = 1
	controlClose     byte = 2
)

var errRecord = errors.New("core: malformed record")

// frameHeader is the clear part of a link frame.
type frameHeader struct {
	epoch uint8
	nonce uint64
}

func (h frameHeader) Append(b []byte) []byte {
	b = append(b, h.epoch)
	return binary.BigEndian.AppendUint64(b, h.nonce)
}

// parseFrame splits a link frame into its header and ciphertext.
func parseFrame(frame []byte) (frameHeader, []byte, error) {
	if len(frame) < frameHeaderSize+tagSize {
		return frameHeader{}, nil, fmt.Errorf("core: link frame of %d bytes, at least %d needed", len(frame), frameHeaderSize+tagSize)
	}
	h := frameHeader{epoch: frame[0], nonce: binary.BigEndian.Uint64(frame[1:])}
	return h, frame[frameHeaderSize:], nil
}

// appendRecord appends one record. The caller checks len(msg) against
// MaxMessageSize, which fits the 16-bit length.
func appendRecord(b []byte, s Service, msg []byte) []byte {
	b = append(b, byte(s))
	b = binary.BigEndian.AppendUint16(b, uint16(len(msg)))
	return append(b, msg...)
}

// nextRecord splits the first record off b.
func nextRecord(b []byte) (s Service, msg, rest []byte, err error) {
	if len(b) < recordHeaderSize {
		return 0, nil, nil, fmt.Errorf("%w: %d bytes left, a record header needs %d", errRecord, len(b), recordHeaderSize)
	}
	n := int(binary.BigEndian.Uint16(b[1:]))
	if len(b)-recordHeaderSize < n {
		return 0, nil, nil, fmt.Errorf("%w: length %d, only %d bytes left", errRecord, n, len(b)-recordHeaderSize)
	}
	end := recordHeaderSize + n
	return Service(b[0]), b[recordHeaderSize:end:end], b[end:], nil
}

// checkRecords checks that b is a sequence of whole records, so a batch is
// delivered entirely or not at all.
func checkRecords(b []byte) error {
	for len(b) > 0 {
		_, _, rest, err := nextRecord(b)
		if err != nil {
			return err
		}
		b = rest
	}
	return nil
}

// replayWindowSize is how far behind the highest nonce seen a frame may
// arrive and still be accepted.
const replayWindowSize = 128

// replayWindow tracks which of the last replayWindowSize nonces have been
// received. Bit n%replayWindowSize stands for nonce n.
type replayWindow struct {
	top     uint64
	started bool
	bits    [replayWindowSize / 64]uint64
}

// fresh reports whether nonce n may be accepted: not seen, not too old.
func (w *replayWindow) fresh(n uint64) bool {
	switch {
	case !w.started || n > w.top:
		return true
	case w.top-n >= replayWindowSize:
		return false
	}
	return !w.bit(n)
}

// mark records nonce n. Call it only after the frame authenticated, so a
// forged frame cannot move the window.
func (w *replayWindow) mark(n uint64) {
	if !w.started || n > w.top {
		w.advance(n)
	}
	w.bits[(n%replayWindowSize)/64] |= 1 << (n % 64)
}

func (w *replayWindow) advance(n uint64) {
	if !w.started || n-w.top >= replayWindowSize {
		w.bits = [replayWindowSize / 64]uint64{}
	} else {
		for i := w.top + 1; i < n; i++ {
			w.bits[(i%replayWindowSize)/64] &^= 1 << (i % 64)
		}
		w.bits[(n%replayWindowSize)/64] &^= 1 << (n % 64)
	}
	w.top, w.started = n, true
}

func (w *replayWindow) bit(n uint64) bool {
	return w.bits[(n%replayWindowSize)/64]&(1<<(n%64)) != 0
}
