package stealth

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
)

// SOCKS5 constants from RFC 1928.
const (
	socksVersion       = 5
	methodNoAuth       = 0x00
	methodNoAcceptable = 0xff
	cmdConnect         = 0x01
	atypIPv4           = 0x01
	atypDomain         = 0x03
	atypIPv6           = 0x04
)

// Reply codes of RFC 1928, section 6.
const (
	replySucceeded           byte = 0x00
	replyGeneralFailure      byte = 0x01
	replyNotAllowed          byte = 0x02
	replyHostUnreachable     byte = 0x04
	replyCommandNotSupported byte = 0x07
	replyAddressNotSupported byte = 0x08
)

var errSocksMalformed = errors.New("socks5: malformed request")

// socksRequest is a client's CONNECT request.
type socksRequest struct {
	command byte
	host    string // a domain name or an IP address in text form
	port    uint16
	isName  bool
}

// readGreeting reads the method selection message and reports whether the
// client offers "no authentication".
func readGreeting(r io.Reader) (bool, error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return false, err
	}
	if head[0] != socksVersion || head[1] == 0 {
		return false, fmt.Errorf("%w: version %d with %d methods", errSocksMalformed, head[0], head[1])
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return false, err
	}
	for _, m := range methods {
		if m == methodNoAuth {
			return true, nil
		}
	}
	return false, nil
}

// readRequest reads a request message (RFC 1928, section 4).
func readRequest(r io.Reader) (socksRequest, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return socksRequest{}, err
	}
	if head[0] != socksVersion || head[2] != 0 {
		return socksRequest{}, fmt.Errorf("%w: version %d, reserved %d", errSocksMalformed, head[0], head[2])
	}
	req := socksRequest{command: head[1]}
	var err error
	req.host, req.isName, err = readAddress(r, head[3])
	if err != nil {
		return req, err
	}
	var port [2]byte
	if _, err := io.ReadFull(r, port[:]); err != nil {
		return req, err
	}
	req.port = binary.BigEndian.Uint16(port[:])
	return req, nil
}

func readAddress(r io.Reader, atyp byte) (string, bool, error) {
	switch atyp {
	case atypIPv4, atypIPv6:
		ip := make(net.IP, 4)
		if atyp == atypIPv6 {
			ip = make(net.IP, 16)
		}
		_, err := io.ReadFull(r, ip)
		return ip.String(), false, err
	case atypDomain:
		var n [1]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return "", true, err
		}
		if n[0] == 0 {
			return "", true, fmt.Errorf("%w: empty domain name", errSocksMalformed)
		}
		name := make([]byte, n[0])
		_, err := io.ReadFull(r, name)
		return string(name), true, err
	}
	return "", false, fmt.Errorf("%w: address type %d", errSocksMalformed, atyp)
}

// appendReply encodes a reply with the bound address 0.0.0.0:0, which is
// all a client of a proxied overlay channel can use.
func appendReply(b []byte, code byte) []byte {
	return append(b, socksVersion, code, 0, atypIPv4, 0, 0, 0, 0, 0, 0)
}

func (r socksRequest) String() string {
	return net.JoinHostPort(r.host, strconv.Itoa(int(r.port)))
}
