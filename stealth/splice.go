package stealth

import (
	"io"
	"net"
	"sync"
)

// closeWriter is implemented by connections that can half-close.
type closeWriter interface{ CloseWrite() error }

// Splice copies both ways between a and b until both directions end, then
// closes both. A finished direction is half-closed where the connection
// allows it, so protocols that signal the end of a request by shutting
// down their sending side (ncat, HTTP/1.0 clients) work.
func Splice(a, b net.Conn) (aToB, bToA int64) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { aToB = copyHalf(b, a); wg.Done() }()
	go func() { bToA = copyHalf(a, b); wg.Done() }()
	wg.Wait()
	a.Close()
	b.Close()
	return aToB, bToA
}

// spliceBuffer is the copy buffer of one direction. A CADET channel cuts
// what one write gives it into messages of about 63 KiB and sends a short
// write as a short message, so io.Copy's 32 KiB would double the messages
// of a bulk transfer.
const spliceBuffer = 128 << 10

var spliceBuffers = sync.Pool{New: func() any {
	b := make([]byte, spliceBuffer)
	return &b
}}

func copyHalf(dst, src net.Conn) int64 {
	buf := spliceBuffers.Get().(*[]byte)
	defer spliceBuffers.Put(buf)
	// The wrappers hide ReaderFrom and WriterTo, which would pick their
	// own, smaller buffer.
	n, _ := io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, *buf)
	if cw, ok := dst.(closeWriter); ok {
		cw.CloseWrite()
	} else {
		dst.Close()
	}
	return n
}
