package core

import (
	"fmt"
	"strings"
	"time"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/transport"
)

// Config tunes CORE. Zero fields take the defaults below.
type Config struct {
	// HandshakeTimeout bounds a handshake. An inbound connection that has
	// not completed its handshake this long after accept is closed. Every
	// rejected inbound connection is closed at exactly this deadline,
	// whatever the reason. Default 10 s.
	HandshakeTimeout time.Duration
	// ClockSkew is how far a first message's timestamp may lie before or
	// after our clock. Default 2 min.
	ClockSkew time.Duration
	// ReplayCacheSize bounds the remembered first messages. Default 65536
	// (about 5 MB at most).
	ReplayCacheSize int
	// MaxPending bounds inbound connections whose first message CORE is
	// still waiting for. Beyond it, new inbound connections are discarded
	// unread and closed at their own deadline. Rejected connections are not
	// counted: each costs a small record and a timer until its deadline.
	// Default 256.
	MaxPending int
	// MaxLinks bounds links, plus outbound handshakes in progress.
	// Connect and Dial beyond it are ignored; inbound handshakes beyond it
	// are rejected silently. Default 128.
	MaxLinks int
	// SendQueueBytes bounds the message bytes a link holds that the
	// transport has not yet accepted. Send returns ErrQueueFull beyond it.
	// Default 4 MiB.
	SendQueueBytes int
	// KeepaliveInterval: a link that has sent nothing for this long sends a
	// keepalive. Default 10 s, so with the default DeadTimeout a link
	// survives three keepalives in a row lost by a lossy transport.
	KeepaliveInterval time.Duration
	// DeadTimeout: a link that has received nothing for this long is
	// dropped. It must exceed KeepaliveInterval. Default 45 s, so a peer
	// detects a dead link within 45 s of the last frame it received.
	DeadTimeout time.Duration
	// RekeyFrames and RekeyInterval: each direction of a link switches to a
	// new key after this many frames or this much time, whichever comes
	// first. Defaults 1<<20 frames and 10 min.
	RekeyFrames   uint64
	RekeyInterval time.Duration
	// HelloLifetime is the validity of our signed HELLO; it is re-signed when
	// half of it has passed. Default 12 h.
	HelloLifetime time.Duration
	// Advertise lists the addresses put in our HELLO. Empty means the
	// addresses Listen bound.
	Advertise []string
	// Bootstrap lists peers to keep a link to, as PEERID@SCHEME://HOST:PORT.
	// CORE dials them at start and redials with exponential backoff.
	Bootstrap []string
	// BackoffMin and BackoffMax bound the redial delay of bootstrap peers.
	// Defaults 1 s and 5 min; each delay is jittered by ±20%.
	BackoffMin time.Duration
	BackoffMax time.Duration
}

func (c Config) withDefaults() Config {
	setDuration(&c.HandshakeTimeout, 10*time.Second)
	setDuration(&c.ClockSkew, 2*time.Minute)
	setInt(&c.ReplayCacheSize, 1<<16)
	setInt(&c.MaxPending, 256)
	setInt(&c.MaxLinks, 128)
	setInt(&c.SendQueueBytes, 4<<20)
	setDuration(&c.KeepaliveInterval, 10*time.Second)
	setDuration(&c.DeadTimeout, 45*time.Second)
	if c.RekeyFrames == 0 {
		c.RekeyFrames = 1 << 20
	}
	setDuration(&c.RekeyInterval, 10*time.Minute)
	setDuration(&c.HelloLifetime, 12*time.Hour)
	setDuration(&c.BackoffMin, time.Second)
	setDuration(&c.BackoffMax, 5*time.Minute)
	return c
}

func (c Config) validate() error {
	if c.DeadTimeout <= c.KeepaliveInterval {
		return fmt.Errorf("core: DeadTimeout %v must exceed KeepaliveInterval %v", c.DeadTimeout, c.KeepaliveInterval)
	}
	if c.BackoffMax < c.BackoffMin {
		return fmt.Errorf("core: BackoffMax %v is below BackoffMin %v", c.BackoffMax, c.BackoffMin)
	}
	if c.SendQueueBytes < MaxMessageSize {
		return fmt.Errorf("core: SendQueueBytes %d is below MaxMessageSize %d", c.SendQueueBytes, MaxMessageSize)
	}
	return nil
}

func setDuration(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

func setInt(n *int, def int) {
	if *n <= 0 {
		*n = def
	}
}

// BootstrapPeer is a peer CORE keeps a link to.
type BootstrapPeer struct {
	Peer    identity.PeerID
	Address string
}

// ParseBootstrap parses PEERID@SCHEME://HOST:PORT, such as
// 0123...@tcp://192.0.2.1:2086.
func ParseBootstrap(s string) (BootstrapPeer, error) {
	id, addr, ok := strings.Cut(s, "@")
	if !ok {
		return BootstrapPeer{}, fmt.Errorf("core: bootstrap peer %q: missing '@': expected PEERID@tcp://HOST:PORT", s)
	}
	peer, err := identity.ParsePeerID(id)
	if err != nil {
		return BootstrapPeer{}, fmt.Errorf("core: bootstrap peer %q: %w", s, err)
	}
	if _, _, err := transport.SplitAddress(addr); err != nil {
		return BootstrapPeer{}, fmt.Errorf("core: bootstrap peer %q: %w", s, err)
	}
	return BootstrapPeer{Peer: peer, Address: addr}, nil
}

// String returns the PEERID@ADDRESS form that ParseBootstrap reads.
func (b BootstrapPeer) String() string { return b.Peer.String() + "@" + b.Address }
