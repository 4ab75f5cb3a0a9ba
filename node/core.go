package node

import (
	"fmt"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/transport"
)

// buildCore creates CORE and its TCP transport from the configuration.
func (n *Node) buildCore() error {
	l := n.cfg.Limits
	cfg := core.Config{
		HandshakeTimeout:  l.HandshakeTimeout.Duration,
		ClockSkew:         l.ClockSkew.Duration,
		MaxPending:        l.MaxPendingHandshakes,
		MaxLinks:          l.MaxLinks,
		KeepaliveInterval: l.KeepaliveInterval.Duration,
		DeadTimeout:       l.DeadLinkTimeout.Duration,
		Bootstrap:         n.cfg.Bootstrap,
	}
	peers, err := core.NewBoltPeerStore(n.db)
	if err != nil {
		return err
	}
	c, err := core.New(cfg, n.loop, n.key, peers)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.core = c
	n.tcp = transport.NewTCP(n.loop, c, transport.TCPConfig{})
	c.AddTransport(n.tcp)
	return nil
}

// startOnLoop binds the listen addresses and starts CORE and the services.
// It runs on the loop.
func (n *Node) startOnLoop() error {
	bound, err := n.core.Listen(n.cfg.Listen)
	if err != nil {
		return err
	}
	n.listen = bound
	n.started = n.loop.Now()
	n.core.Start()
	return n.startServices()
}
