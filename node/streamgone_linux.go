package node

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerClosed reports whether the other end of c has closed its socket
// entirely. A half-close (the client shutting down its sending side, as
// `hush cadet listen </dev/null` does) is not a close: only a full close
// sets POLLHUP on a Unix stream socket.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	raw.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, 0); err == nil && n > 0 {
			closed = fds[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0
		}
	})
	return closed
}
