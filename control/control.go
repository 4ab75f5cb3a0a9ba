// Package control is the daemon's local API: HTTP with JSON bodies over a
// Unix socket in the peer's home. The CLI is its main client, and
// `curl --unix-socket HOME/hush.sock http://hush/v1/status` works too.
//
// Every response is JSON. A failed request gets a non-2xx status and a body
// {"error": "..."} whose message is meant for the user.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

// maxRequestBody bounds request bodies the daemon reads.
const maxRequestBody = 1 << 20

// Error is a failure the client reports to the user.
type Error struct {
	Status  int    `json:"-"`
	Message string `json:"error"`
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an Error with an HTTP status.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Handler adapts a function that decodes into In and returns Out.
func Handler[In, Out any](fn func(ctx context.Context, in In) (Out, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in In
		if r.Body != nil && r.ContentLength != 0 {
			dec := json.NewDecoder(io.LimitReader(r.Body, maxRequestBody))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
				writeJSON(w, http.StatusBadRequest, &Error{Message: "invalid request body: " + err.Error()})
				return
			}
		}
		out, err := fn(r.Context(), in)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				ce = &Error{Status: http.StatusInternalServerError, Message: err.Error()}
			}
			writeJSON(w, ce.Status, ce)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// Listen opens the Unix socket at path with mode 0600, replacing a stale
// socket file left by a daemon that died.
func Listen(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("control: remove stale socket %s: %w", path, err)
	}
	old := syscall.Umask(0o077)
	ln, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control: listen on %s: %w", path, err)
	}
	return ln, nil
}

// Client calls a daemon's control API.
type Client struct {
	socket string
	http   *http.Client
}

// ErrNoDaemon is returned when no daemon listens on the socket.
var ErrNoDaemon = errors.New("no daemon is running on this home")

// NewClient returns a client for the socket at path.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}
	return &Client{socket: path, http: &http.Client{Transport: tr}}
}

// Call sends in (nil for GET) to path and decodes the response into out.
func (c *Client) Call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://hush"+path, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if isNoDaemon(err) {
			return fmt.Errorf("%w (socket %s); start one with `hush daemon`", ErrNoDaemon, c.socket)
		}
		return fmt.Errorf("control: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("control: read response: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		ce := &Error{Status: resp.StatusCode}
		if json.Unmarshal(data, ce) != nil || ce.Message == "" {
			ce.Message = fmt.Sprintf("daemon returned HTTP %d", resp.StatusCode)
		}
		return ce
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func isNoDaemon(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}

// Shutdown stops srv, waiting at most d for requests in flight.
func Shutdown(srv *http.Server, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return srv.Shutdown(ctx)
}
