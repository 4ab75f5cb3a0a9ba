package node

import (
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/stealth"
)

// ChannelRequest is the body of the cadet stream requests.
type ChannelRequest struct {
	Peer string `json:"peer,omitempty"` // connect only
	Port string `json:"port"`
	// Secret is the port's 256-bit secret in hex; empty for a public port.
	Secret      string  `json:"secret,omitempty"`
	TimeoutSecs float64 `json:"timeout_seconds,omitempty"`
}

func (n *Node) cadetRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/cadet/connect", n.handleCADETConnect)
	mux.HandleFunc("POST /v1/cadet/listen", n.handleCADETListen)
	mux.Handle("GET /v1/cadet/stats", control.Handler(n.handleCADETStats))
	mux.Handle("GET /v1/cadet/tunnels", control.Handler(n.handleCADETTunnels))
}

// ParseSecret decodes a port secret written as 64 hex digits.
func ParseSecret(s string) (*[stealth.SecretSize]byte, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != stealth.SecretSize {
		return nil, errors.New("invalid secret: expected 64 hex digits (256 bits); make one with `hush cadet secret new`")
	}
	var out [stealth.SecretSize]byte
	copy(out[:], raw)
	return &out, nil
}

// handleCADETConnect opens a channel and turns the request into a stream
// carrying it.
func (n *Node) handleCADETConnect(w http.ResponseWriter, r *http.Request) {
	var req ChannelRequest
	if err := control.DecodeRequest(r, &req); err != nil {
		control.WriteError(w, err)
		return
	}
	peer, err := identity.ParsePeerID(req.Peer)
	if err != nil {
		control.WriteError(w, control.Errorf(http.StatusBadRequest, "%v", err))
		return
	}
	secret, err := ParseSecret(req.Secret)
	if err != nil {
		control.WriteError(w, control.Errorf(http.StatusBadRequest, "%v", err))
		return
	}
	ch, err := n.dialChannel(r.Context(), peer, req.Port, secret, req.TimeoutSecs)
	if err != nil {
		control.WriteError(w, err)
		return
	}
	n.streamChannel(w, ch)
}

// dialChannel opens a channel with a timeout and maps the failure to what
// the user may act on.
func (n *Node) dialChannel(ctx context.Context, peer identity.PeerID, port string, secret *[stealth.SecretSize]byte, timeoutSecs float64) (net.Conn, error) {
	timeout := time.Duration(timeoutSecs * float64(time.Second))
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ch, err := n.cadetAPI.Dial(ctx, peer, port, cadet.DialOptions{Secret: secret})
	switch {
	case err == nil:
		return ch, nil
	case errors.Is(err, cadet.ErrNoPath):
		return nil, control.Errorf(http.StatusBadGateway, "no path to peer %s: it is not linked and its HELLO was not found in the DHT", peer.Short())
	case errors.Is(err, cadet.ErrNoAnswer), errors.Is(err, context.DeadlineExceeded):
		return nil, control.Errorf(http.StatusGatewayTimeout, "no answer from port %q on peer %s within %v (the port does not exist, or the secret is wrong)", port, peer.Short(), timeout)
	}
	return nil, control.Errorf(http.StatusBadGateway, "channel to %s port %q failed: %v", peer.Short(), port, err)
}

// handleCADETListen opens a port, responds with 101 at once, and carries the
// first channel that arrives over the stream. The port closes when that
// channel ends or the client goes away.
func (n *Node) handleCADETListen(w http.ResponseWriter, r *http.Request) {
	var req ChannelRequest
	if err := control.DecodeRequest(r, &req); err != nil {
		control.WriteError(w, err)
		return
	}
	secret, err := ParseSecret(req.Secret)
	if err != nil {
		control.WriteError(w, control.Errorf(http.StatusBadRequest, "%v", err))
		return
	}
	l, err := n.cadetAPI.Listen(req.Port, cadet.ListenOptions{Secret: secret})
	if err != nil {
		control.WriteError(w, control.Errorf(http.StatusConflict, "cannot listen on port %q: %v", req.Port, err))
		return
	}
	defer l.Close()
	stream, err := control.Upgrade(w)
	if err != nil {
		n.log.Warn("cadet: stream upgrade failed", "err", err)
		return
	}
	stop := context.AfterFunc(n.ctx, func() { l.Close(); stream.Close() })
	defer stop()
	watching := make(chan struct{})
	go watchClient(stream, l, watching)
	ch, err := l.Accept()
	close(watching)
	if err != nil {
		stream.Close()
		return
	}
	n.log.Info("cadet: channel accepted", "port", req.Port, "remote", ch.RemoteAddr())
	stealth.Splice(stream, ch)
}

// clientCheckInterval is how often a waiting listen request checks that
// its client is still there.
const clientCheckInterval = 250 * time.Millisecond

// watchClient closes l when the client of a listen stream closes its
// socket before a channel arrives, as a killed `hush cadet listen` does.
// An open port without a client would accept the next channel and lose
// its data. watchClient stops when done closes.
func watchClient(stream *control.StreamConn, l net.Listener, done <-chan struct{}) {
	tick := time.NewTicker(clientCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if peerClosed(stream.Conn) {
				l.Close()
				return
			}
		}
	}
}

// streamChannel upgrades the request and copies between it and ch.
func (n *Node) streamChannel(w http.ResponseWriter, ch net.Conn) {
	stream, err := control.Upgrade(w)
	if err != nil {
		ch.Close()
		n.log.Warn("cadet: stream upgrade failed", "err", err)
		return
	}
	stop := context.AfterFunc(n.ctx, func() { ch.Close(); stream.Close() })
	defer stop()
	stealth.Splice(stream, ch)
}

func (n *Node) handleCADETStats(context.Context, Empty) (cadet.Stats, error) {
	return n.cadetAPI.Stats(), nil
}

// TunnelView is one tunnel in GET /v1/cadet/tunnels.
type TunnelView struct {
	Peer        string     `json:"peer"`
	State       string     `json:"state"`
	Paths       [][]string `json:"paths"`
	Channels    int        `json:"channels"`
	Established time.Time  `json:"established,omitzero"`
}

func (n *Node) handleCADETTunnels(context.Context, Empty) ([]TunnelView, error) {
	out := []TunnelView{}
	for _, t := range n.cadetAPI.Tunnels() {
		v := TunnelView{Peer: t.Peer.String(), State: t.State, Channels: t.Channels, Established: t.Established, Paths: [][]string{}}
		for _, path := range t.Connections {
			var hops []string
			for _, p := range path {
				hops = append(hops, p.String())
			}
			v.Paths = append(v.Paths, hops)
		}
		out = append(out, v)
	}
	return out, nil
}
