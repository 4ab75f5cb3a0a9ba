package stealth

import (
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

// smallBuffer is the copy buffer of a direction that carries little: an
// idle or interactive connection holds this much per direction, and
// switches to a pooled spliceBuffer once a read fills it.
const smallBuffer = 4 << 10

func copyHalf(dst, src net.Conn) int64 {
	n := copyAdaptive(dst, src)
	if cw, ok := dst.(closeWriter); ok {
		cw.CloseWrite()
	} else {
		dst.Close()
	}
	return n
}

// copyAdaptive copies src to dst until src ends or dst fails. It reads
// into a small buffer and takes a large one from the pool while reads fill
// the buffer. A short read gives the large buffer back, so a connection
// blocked in Read waiting for data holds only the small one.
func copyAdaptive(dst, src net.Conn) int64 {
	small := make([]byte, smallBuffer)
	buf := small
	var big *[]byte
	defer func() {
		if big != nil {
			spliceBuffers.Put(big)
		}
	}()
	var total int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return total
			}
			total += int64(k)
		}
		if err != nil {
			return total
		}
		switch {
		case big == nil && k == len(buf):
			big = spliceBuffers.Get().(*[]byte)
			buf = *big
		case big != nil && k < smallBuffer:
			spliceBuffers.Put(big)
			big, buf = nil, small
		}
	}
}
