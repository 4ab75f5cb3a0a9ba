package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// Streams: some requests (cadet connect and listen) turn the control
// connection into a raw byte stream once the daemon has done the work. The
// client sends "Connection: Upgrade" and "Upgrade: hush-stream"; on success
// the daemon responds with 101 Switching Protocols and both ends then copy bytes,
// with a half-close (shutdown of the sending side) marking the end of
// each direction. On failure the daemon answers with a JSON error as usual.
const streamProtocol = "hush-stream"

// StreamConn is an upgraded control connection.
type StreamConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads buffered bytes first, then from the socket.
func (s *StreamConn) Read(p []byte) (int, error) { return s.r.Read(p) }

// CloseWrite shuts down the sending side.
func (s *StreamConn) CloseWrite() error {
	if cw, ok := s.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return s.Conn.Close()
}

// Upgrade takes over the connection of a successful stream request and
// responds with 101 Switching Protocols. The handler must not write to w
// afterwards.
func Upgrade(w http.ResponseWriter) (*StreamConn, error) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, fmt.Errorf("control: upgrade to a stream: %w", err)
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "+streamProtocol+"\r\n\r\n"); err != nil {
		conn.Close()
		return nil, err
	}
	return &StreamConn{Conn: conn, r: brw.Reader}, nil
}

// WriteError responds to a stream request that failed, as Handler would.
func WriteError(w http.ResponseWriter, err error) {
	var ce *Error
	if !errors.As(err, &ce) {
		ce = &Error{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	writeJSON(w, ce.Status, ce)
}

// DecodeRequest reads a JSON request body into in.
func DecodeRequest(r *http.Request, in any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(in); err != nil {
		return &Error{Status: http.StatusBadRequest, Message: "invalid request body: " + err.Error()}
	}
	return nil
}

// Stream sends a stream request and returns the upgraded connection.
func (c *Client) Stream(ctx context.Context, path string, in any) (*StreamConn, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.socket)
	if err != nil {
		if isNoDaemon(err) {
			return nil, fmt.Errorf("%w (socket %s); start one with `hush daemon`", ErrNoDaemon, c.socket)
		}
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	req, _ := http.NewRequest(http.MethodPost, "http://hush"+path, bytes.NewReader(body))
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", streamProtocol)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("control: send request: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("control: read response: %w", err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return &StreamConn{Conn: conn, r: br}, nil
	}
	defer conn.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	ce := &Error{Status: resp.StatusCode}
	if json.Unmarshal(data, ce) != nil || ce.Message == "" {
		ce.Message = fmt.Sprintf("daemon returned HTTP %d", resp.StatusCode)
	}
	return nil, ce
}
