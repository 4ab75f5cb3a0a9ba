// Package node assembles a daemon's peer from its parts: the home's key,
// configuration and database, a real event loop, the TCP transport, CORE,
// and the services above it. Every protocol object is owned by the loop;
// the control API reaches it through Real.Call.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/config"
	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/store"
	"github.com/hush-overlay/hush/transport"
)

// Node is one running peer.
type Node struct {
	home      config.Home
	cfg       config.Config
	log       *slog.Logger
	key       *identity.PrivateKey
	db        *bolt.DB
	loop      *loop.Real
	core      *core.Core
	dht       *dht.DHT
	gns       *gnsState
	cadet     *cadet.Engine
	cadetAPI  *cadet.API
	expose    *exposer
	cadetDone chan struct{}   // closed when the engine stops
	ctx       context.Context // ends when Run returns
	idMu      sync.Mutex      // serialises identity changes
	tcp       *transport.TCP
	listen    []string
	started   time.Time
}

// Open loads the home and builds the peer without starting it. It fails at
// once when another daemon holds the home's database.
func Open(home config.Home, cfg config.Config, log *slog.Logger) (*Node, error) {
	key, err := identity.LoadKeyFile(home.Key())
	if err != nil {
		return nil, err
	}
	db, err := store.Open(home.Database())
	if err != nil {
		return nil, err
	}
	log = log.With("peer", key.PeerID().Short())
	n := &Node{home: home, cfg: cfg, log: log, key: key, db: db}
	n.loop = loop.NewReal(log)
	if err := n.buildCore(); err != nil {
		db.Close()
		return nil, err
	}
	return n, nil
}

// PeerID returns the node's peer ID.
func (n *Node) PeerID() identity.PeerID { return n.key.PeerID() }

// Run starts the loop, listens, serves the control API and blocks until ctx
// ends. It then closes links gracefully and releases the home.
func (n *Node) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n.ctx = ctx
	loopDone := make(chan struct{})
	go func() { n.loop.Run(context.Background()); close(loopDone) }()
	defer func() { n.loop.Stop(); <-loopDone; n.db.Close() }()

	if err := n.start(); err != nil {
		n.shutdown()
		return err
	}
	n.expose.restore()
	ln, err := control.Listen(n.home.Socket())
	if err != nil {
		n.shutdown()
		return err
	}
	srv := &http.Server{Handler: n.routes(), ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	n.log.Info("daemon started", "listen", n.listen, "socket", n.home.Socket())

	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("control API stopped: %w", err)
	}
	control.Shutdown(srv, 5*time.Second)
	n.shutdown()
	n.log.Info("daemon stopped")
	return err
}

// start listens on the configured addresses and starts the services.
func (n *Node) start() error {
	var err error
	if !n.loop.Call(func() { err = n.startOnLoop() }) {
		return errors.New("node: loop stopped during start")
	}
	return err
}

// shutdown closes links with a close message, then the transport.
func (n *Node) shutdown() {
	if n.expose != nil {
		n.expose.closeAll()
	}
	n.loop.Call(func() { n.closeServices(); n.core.Close() })
	// Give close messages a moment to reach the wire before the sockets go.
	time.Sleep(100 * time.Millisecond)
	n.tcp.Close()
}

// call runs fn on the loop for a control request.
func (n *Node) call(fn func()) error {
	if !n.loop.Call(fn) {
		return control.Errorf(http.StatusServiceUnavailable, "daemon is shutting down")
	}
	return nil
}
