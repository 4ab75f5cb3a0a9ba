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

func copyHalf(dst, src net.Conn) int64 {
	n, _ := io.Copy(dst, src)
	if cw, ok := dst.(closeWriter); ok {
		cw.CloseWrite()
	} else {
		dst.Close()
	}
	return n
}
