//go:build !linux

package node

import "net"

// peerClosed reports false: only Linux tells a full close of a Unix
// socket's other end from a half-close without reading.
func peerClosed(net.Conn) bool { return false }
