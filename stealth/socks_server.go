package stealth

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"
)

// handshakeTimeout bounds how long a SOCKS client may take to send its
// greeting and request.
const handshakeTimeout = 10 * time.Second

// SOCKSServer is a SOCKS5 proxy (RFC 1928, CONNECT without authentication)
// that reaches GNS names over CADET and refuses every other name.
//
// The destination port of a request is ignored: a STEALTH or VPN record
// names the service, so web.alice.gnu:80 and web.alice.gnu:443 reach the
// same port.
type SOCKSServer struct {
	Resolver    Resolver
	Dialer      Dialer
	Log         *slog.Logger
	DialTimeout time.Duration // default 30 s

}

// Serve accepts connections on ln until it is closed or ctx ends, then
// waits for the connections it started to finish.
func (s *SOCKSServer) Serve(ctx context.Context, ln net.Listener) error {
	return acceptLoop(ctx, ln, s.handle)
}

func (s *SOCKSServer) handle(ctx context.Context, conn net.Conn) {
	conn.SetDeadline(time.Now().Add(handshakeTimeout))
	req, ok := s.negotiate(conn)
	if !ok {
		conn.Close()
		return
	}
	// Resolving and dialing may take longer than the handshake timeout;
	// the reply then still has its own time to go out.
	conn.SetDeadline(time.Time{})
	remote, code := s.connect(ctx, req)
	conn.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	_, err := conn.Write(appendReply(nil, code))
	conn.SetWriteDeadline(time.Time{})
	if remote == nil || err != nil {
		conn.Close()
		if remote != nil {
			remote.Close()
		}
		return
	}
	stop := context.AfterFunc(ctx, func() { conn.Close(); remote.Close() })
	defer stop()
	Splice(conn, remote)
}

// negotiate reads the greeting and request and sends the method choice.
func (s *SOCKSServer) negotiate(conn net.Conn) (socksRequest, bool) {
	noAuth, err := readGreeting(conn)
	if err != nil {
		s.debug("socks: invalid greeting", "remote", conn.RemoteAddr(), "err", err)
		return socksRequest{}, false
	}
	if !noAuth {
		conn.Write([]byte{socksVersion, methodNoAcceptable})
		return socksRequest{}, false
	}
	if _, err := conn.Write([]byte{socksVersion, methodNoAuth}); err != nil {
		return socksRequest{}, false
	}
	req, err := readRequest(conn)
	if err != nil {
		s.debug("socks: invalid request", "remote", conn.RemoteAddr(), "err", err)
		if errors.Is(err, errSocksMalformed) {
			conn.Write(appendReply(nil, replyAddressNotSupported))
		}
		return socksRequest{}, false
	}
	return req, true
}

// connect resolves and dials the request's name and returns the SOCKS
// reply code.
func (s *SOCKSServer) connect(ctx context.Context, req socksRequest) (net.Conn, byte) {
	if req.command != cmdConnect {
		return nil, replyCommandNotSupported
	}
	if !req.isName {
		return nil, replyNotAllowed
	}
	timeout := s.DialTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	target, err := s.Resolver.ResolveService(ctx, req.host)
	if err != nil {
		s.logFailure("socks: resolve failed", req, err)
		return nil, resolveReplyCode(err)
	}
	remote, err := s.Dialer.DialService(ctx, target)
	if err != nil {
		s.logFailure("socks: channel open failed", req, err)
		return nil, replyHostUnreachable
	}
	return remote, replySucceeded
}

func resolveReplyCode(err error) byte {
	switch {
	case errors.Is(err, ErrNotGNS):
		return replyNotAllowed
	case errors.Is(err, ErrNotFound), errors.Is(err, context.DeadlineExceeded):
		// A lookup that finds nothing before its deadline is as good as
		// an unknown name.
		return replyHostUnreachable
	}
	return replyGeneralFailure
}

func (s *SOCKSServer) logFailure(msg string, req socksRequest, err error) {
	if s.Log != nil {
		s.Log.Warn(msg, "name", req.host, "err", err)
	}
}

func (s *SOCKSServer) debug(msg string, args ...any) {
	if s.Log != nil {
		s.Log.Debug(msg, args...)
	}
}
