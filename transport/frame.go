package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// FrameHeaderSize is the length of the big-endian length prefix that
// precedes every frame on a TCP stream.
const FrameHeaderSize = 4

// ErrEmptyFrame is the error for a frame of length zero. No transport
// carries empty frames, so a zero prefix on a stream is treated like an
// oversize one.
var ErrEmptyFrame = errors.New("transport: empty frame")

// AppendFrame appends frame to dst with its length prefix. It returns
// ErrEmptyFrame or ErrFrameTooLong, and dst unchanged, when frame is empty
// or longer than MaxFrameSize.
func AppendFrame(dst, frame []byte) ([]byte, error) {
	if err := checkFrameLength(len(frame)); err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(frame)))
	return append(dst, frame...), nil
}

func checkFrameLength(n int) error {
	if n == 0 {
		return ErrEmptyFrame
	}
	if n > MaxFrameSize {
		return fmt.Errorf("%w: got %d bytes", ErrFrameTooLong, n)
	}
	return nil
}

// FrameReader decodes length-prefixed frames from a byte stream. It checks
// each prefix against MaxFrameSize before it allocates, so a peer cannot
// make it allocate more than MaxFrameSize bytes per frame.
type FrameReader struct {
	r      io.Reader
	header [FrameHeaderSize]byte
}

// NewFrameReader returns a FrameReader over r. Wrap r in a bufio.Reader
// when it is a socket, so small frames do not cost one read each.
func NewFrameReader(r io.Reader) *FrameReader {
	return &FrameReader{r: r}
}

// ReadFrame reads the next frame into a new slice that the caller owns. It
// returns io.EOF when the stream ends between frames, io.ErrUnexpectedEOF
// when it ends inside one, and ErrEmptyFrame or ErrFrameTooLong when the
// prefix is invalid. After an invalid prefix the stream position is lost,
// so the caller must stop decoding.
func (fr *FrameReader) ReadFrame() ([]byte, error) {
	if _, err := io.ReadFull(fr.r, fr.header[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(fr.header[:])
	if n > MaxFrameSize {
		return nil, fmt.Errorf("%w: length prefix is %d", ErrFrameTooLong, n)
	}
	if n == 0 {
		return nil, ErrEmptyFrame
	}
	frame := make([]byte, n)
	if _, err := io.ReadFull(fr.r, frame); err != nil {
		return nil, unexpectedEOF(err)
	}
	return frame, nil
}

// unexpectedEOF turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
