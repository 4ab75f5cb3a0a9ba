// Package cadet builds end-to-end encrypted tunnels to any peer over
// multi-hop paths, and carries channels to named ports over them.
//
// Layers, bottom up, each in its own files:
//
//   - relay.go: per-hop state of connections passing through this peer.
//   - connection.go: one path from this peer to a tunnel's far end.
//   - tunnel.go, kx.go: one association per remote peer over one or more
//     connections; Noise IK then the double ratchet of package ratchet.
//   - channel*.go: reliable or unreliable channels with flow control.
//   - port.go, stealth.go: listening ports and stealth token checks.
//   - api.go, netconn.go: the blocking Go API for daemons.
//
// Everything except the blocking API is sans-IO: the Engine runs on the
// peer's loop, takes events from CORE (core.Handler) and timers from its
// loop.Env, and sends through core.Links.
package cadet

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hush-overlay/hush/cadet/ratchet"
	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
)

// PathFinder finds paths to peers for the tunnels. The integrator backs it
// with the DHT's HELLO lookup and recorded routes.
type PathFinder interface {
	// FindPaths looks for paths to target and calls cb once on the peer's
	// loop. Each path lists the peers after this one, target last, so a
	// neighbour's path is just [target]. hello, if not nil, is target's
	// HELLO, used to try a direct link. cancel stops a pending lookup.
	FindPaths(target identity.PeerID, cb func(paths [][]identity.PeerID, hello *hello.Hello)) (cancel func())
}

// Errors for callers of Dial and of channels.
var (
	ErrNoPath   = errors.New("cadet: no path to peer")
	ErrNoAnswer = errors.New("cadet: no response from peer port")
	ErrClosed   = errors.New("cadet: channel closed")
)

// Config sets up an Engine. Zero durations and sizes take defaults.
type Config struct {
	Key   *identity.PrivateKey
	Links core.Links
	Env   loop.Env
	Paths PathFinder
	// KeepaliveInterval is how often an idle connection sends a keepalive.
	// A connection that receives nothing for 6 intervals is broken, and
	// relays drop routes idle for 7 intervals. Default 20 s.
	KeepaliveInterval time.Duration
	// MaxRoutes bounds the connections this peer relays. A CREATE beyond
	// it gets BROKEN in return, so existing routes are never evicted by
	// new ones. Default 4096.
	MaxRoutes int
	// MaxTunnels bounds the tunnels. A CREATE for a new tunnel beyond it
	// gets BROKEN in return. Default 1024.
	MaxTunnels int
	// ConnectionsPerTunnel is how many connections a tunnel keeps when
	// enough paths are known. Default 2.
	ConnectionsPerTunnel int
	// StealthWindow is the allowed |now - T| of a stealth channel open.
	// Default 2 min.
	StealthWindow time.Duration
	// ReplayCacheSize bounds the stealth tokens remembered. Default 4096.
	ReplayCacheSize int
	// ReceiveWindow is each channel's receive buffer in messages, at most
	// 64 because acknowledgements carry a 64-bit SACK. Default 64.
	ReceiveWindow uint32
	// SendBuffer bounds the bytes an application may queue on a channel
	// before Write blocks. Default 256 KiB.
	SendBuffer int
	// Ratchet bounds the tunnels' double ratchets.
	Ratchet ratchet.Config
}

func (c Config) withDefaults() Config {
	c.KeepaliveInterval = orDuration(c.KeepaliveInterval, 20*time.Second)
	c.StealthWindow = orDuration(c.StealthWindow, 2*time.Minute)
	c.MaxRoutes = orInt(c.MaxRoutes, 4096)
	c.MaxTunnels = orInt(c.MaxTunnels, 1024)
	c.ConnectionsPerTunnel = orInt(c.ConnectionsPerTunnel, 2)
	c.ReplayCacheSize = orInt(c.ReplayCacheSize, 4096)
	c.SendBuffer = orInt(c.SendBuffer, 256<<10)
	if c.ReceiveWindow == 0 || c.ReceiveWindow > 64 {
		c.ReceiveWindow = 64
	}
	return c
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func orInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Engine is one peer's CADET. All methods run on the peer's loop.
type Engine struct {
	cfg     Config
	self    identity.PeerID
	env     loop.Env
	links   core.Links
	room    roomReporter // links, when they report queue room; else nil
	log     *slog.Logger
	relay   *relayTable
	conns   map[wire.ConnID]*connection
	tunnels map[identity.PeerID]*tunnel
	ports   map[[wire.PortHashSize]byte]*port
	replay  *replayCache
	refusal *rateLimitedLog
	stats   Stats
	stopped bool
}

var _ core.Handler = (*Engine)(nil)

// New returns an Engine; register it with CORE for core.ServiceCADET.
func New(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	e := &Engine{
		cfg:     cfg,
		self:    cfg.Key.PeerID(),
		env:     cfg.Env,
		links:   cfg.Links,
		log:     cfg.Env.Log().With("subsystem", "cadet"),
		conns:   map[wire.ConnID]*connection{},
		tunnels: map[identity.PeerID]*tunnel{},
		ports:   map[[wire.PortHashSize]byte]*port{},
		replay:  newReplayCache(cfg.ReplayCacheSize),
	}
	e.relay = newRelayTable(e)
	e.refusal = &rateLimitedLog{every: time.Second}
	e.room, _ = cfg.Links.(roomReporter)
	return e
}

// Self returns this peer's ID.
func (e *Engine) Self() identity.PeerID { return e.self }

// Stop destroys every tunnel and relayed route and makes the engine ignore
// further events. Called on the loop.
func (e *Engine) Stop() {
	for _, t := range sortedTunnels(e.tunnels) {
		t.destroy(ErrClosed)
	}
	e.relay.clear()
	e.stopped = true
}

// LinkUp implements core.Handler: tunnels waiting for a path to that
// neighbour try again.
func (e *Engine) LinkUp(peer identity.PeerID) {
	if e.stopped {
		return
	}
	for _, t := range sortedTunnels(e.tunnels) {
		t.linkUp(peer)
	}
}

// LinkDown implements core.Handler: connections and routes over the link
// break.
func (e *Engine) LinkDown(peer identity.PeerID) {
	if e.stopped {
		return
	}
	e.relay.linkDown(peer)
	for _, c := range sortedConns(e.conns) {
		if c.hop == peer {
			c.fail("link down")
		}
	}
}

// Receive implements core.Handler.
func (e *Engine) Receive(from identity.PeerID, msg []byte) {
	if e.stopped {
		return
	}
	typ, err := wire.PeekType(msg)
	if err != nil || !typ.IsConnection() {
		e.debug("drop message", "from", from.Short(), "type", typ)
		return
	}
	if typ == wire.TypeCreate {
		e.receiveCreate(from, msg)
		return
	}
	cid, _ := wire.PeekConnID(msg)
	if c := e.conns[cid]; c != nil && c.hop == from {
		c.receive(typ, msg)
		return
	}
	e.relay.forward(from, typ, cid, msg)
}

// receiveCreate relays a CREATE or, if this peer is the target, accepts
// the connection.
func (e *Engine) receiveCreate(from identity.PeerID, msg []byte) {
	m, err := wire.ParseCreate(msg)
	if err != nil {
		e.debug("drop CREATE", "from", from.Short(), "err", err)
		return
	}
	pos, ok := checkPath(m.Path, e.self, from)
	if !ok {
		e.debug("drop CREATE with invalid path", "from", from.Short())
		return
	}
	if pos == len(m.Path)-1 {
		e.acceptConnection(from, m)
		return
	}
	e.relay.create(from, m, m.Path[pos+1], msg)
}

// checkPath finds self in path and checks that from precedes it and that
// no peer repeats. Position 0 is the initiator, which never receives its
// own CREATE.
func checkPath(path []identity.PeerID, self, from identity.PeerID) (int, bool) {
	seen := make(map[identity.PeerID]bool, len(path))
	pos := -1
	for i, p := range path {
		if seen[p] {
			return 0, false
		}
		seen[p] = true
		if p == self {
			pos = i
		}
	}
	return pos, pos > 0 && path[pos-1] == from
}

// acceptConnection makes this peer the far end of a new connection.
func (e *Engine) acceptConnection(from identity.PeerID, m *wire.Create) {
	if c := e.conns[m.CID]; c != nil {
		if c.hop == from {
			c.sendCreateAck()
		}
		return
	}
	if e.relay.has(m.CID) {
		return
	}
	t := e.tunnels[m.Path[0]]
	if t == nil {
		if len(e.tunnels) >= e.cfg.MaxTunnels {
			e.sendTo(from, (&wire.Broken{CID: m.CID}).Append(nil))
			return
		}
		t = e.newTunnel(m.Path[0])
	}
	if len(t.conns) >= maxConnections {
		e.sendTo(from, (&wire.Broken{CID: m.CID}).Append(nil))
		return
	}
	t.acceptConnection(from, m)
}

// sendTo hands msg to CORE for a neighbour. A message that CORE cannot
// queue is lost like one lost on the network.
func (e *Engine) sendTo(to identity.PeerID, msg []byte) error {
	err := e.links.Send(to, core.ServiceCADET, msg)
	if err != nil {
		e.debug("send failed", "to", to.Short(), "err", err)
	}
	return err
}

// debug logs at debug level, formatting nothing when debug is off.
func (e *Engine) debug(msg string, args ...any) {
	if e.log.Enabled(context.Background(), slog.LevelDebug) {
		e.log.Debug(msg, args...)
	}
}

func (e *Engine) now() time.Time { return e.env.Now() }
