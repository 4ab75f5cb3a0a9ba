package node

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/identity"
)

// Status is the response to GET /v1/status.
type Status struct {
	PeerID        string   `json:"peer_id"`
	Listen        []string `json:"listen"`
	Links         int      `json:"links"`
	UptimeSeconds float64  `json:"uptime_seconds"`
}

// Peer is one entry of GET /v1/peers.
type Peer struct {
	PeerID     string  `json:"peer_id"`
	Address    string  `json:"address"`
	Direction  string  `json:"direction"`
	AgeSeconds float64 `json:"age_seconds"`
}

// ConnectRequest is the body of POST /v1/connect.
type ConnectRequest struct {
	// Target is PEERID@tcp://HOST:PORT.
	Target string `json:"target"`
}

// Empty is the response of requests that return nothing.
type Empty struct{}

func (n *Node) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /v1/status", control.Handler(n.handleStatus))
	mux.Handle("GET /v1/peers", control.Handler(n.handlePeers))
	mux.Handle("POST /v1/connect", control.Handler(n.handleConnect))
	n.serviceRoutes(mux)
	return mux
}

func (n *Node) handleStatus(context.Context, Empty) (Status, error) {
	st := Status{PeerID: n.PeerID().String(), Listen: n.listen}
	err := n.call(func() { st.Links = len(n.core.Neighbours()) })
	st.UptimeSeconds = time.Since(n.started).Seconds()
	return st, err
}

func (n *Node) handlePeers(context.Context, Empty) ([]Peer, error) {
	peers := []Peer{}
	err := n.call(func() {
		now := n.loop.Now()
		for _, l := range n.core.LinkInfo() {
			peers = append(peers, Peer{
				PeerID:     l.Peer.String(),
				Address:    l.Address,
				Direction:  l.Direction,
				AgeSeconds: now.Sub(l.Established).Seconds(),
			})
		}
	})
	return peers, err
}

func (n *Node) handleConnect(_ context.Context, req ConnectRequest) (Empty, error) {
	peer, addr, err := ParseTarget(req.Target)
	if err != nil {
		return Empty{}, control.Errorf(http.StatusBadRequest, "%v", err)
	}
	var dialErr error
	if err := n.call(func() { dialErr = n.core.Dial(peer, addr) }); err != nil {
		return Empty{}, err
	}
	if dialErr != nil {
		n.log.Warn("connect failed", "peer", peer.Short(), "address", addr, "err", dialErr)
		return Empty{}, control.Errorf(http.StatusConflict, "cannot dial %s at %s: %v", peer.Short(), addr, dialErr)
	}
	return Empty{}, nil
}

// ParseTarget splits PEERID@tcp://HOST:PORT.
func ParseTarget(s string) (identity.PeerID, string, error) {
	id, addr, ok := strings.Cut(s, "@")
	if !ok || addr == "" {
		return identity.PeerID{}, "", &control.Error{Message: "invalid target " + quote(s) + ": expected PEERID@tcp://HOST:PORT"}
	}
	peer, err := identity.ParsePeerID(id)
	if err != nil {
		return identity.PeerID{}, "", err
	}
	return peer, addr, nil
}

func quote(s string) string { return "\"" + s + "\"" }
