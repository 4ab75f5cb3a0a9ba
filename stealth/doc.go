// Package stealth connects programs that know nothing of hush to stealth
// services: a local TCP port forward to one name, and a SOCKS5 proxy that
// resolves GNS names itself. Both resolve a name to a Target (peer, port
// name and secret, from a STEALTH or VPN record) and carry each local TCP
// connection over its own CADET channel.
package stealth

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/hush-overlay/hush/identity"
)

// SecretSize is the size of a stealth port secret.
const SecretSize = 32

// Target is where a name leads: a port on a peer, with the port's secret
// unless the service is public.
type Target struct {
	Peer    identity.PeerID
	Port    string
	Secret  *[SecretSize]byte // nil for a public port
	Expires time.Time         // when the record that named it expires
}

// Errors a Resolver returns, so that callers can map them to SOCKS5 reply
// codes.
var (
	// ErrNotGNS marks a name outside every GNS suffix and not a zTLD.
	ErrNotGNS = errors.New("stealth: not a GNS name")
	// ErrNotFound marks a GNS name without a STEALTH or VPN record.
	ErrNotFound = errors.New("stealth: name has no STEALTH or VPN record")
)

// Resolver looks up the service a name points to.
type Resolver interface {
	ResolveService(ctx context.Context, name string) (Target, error)
}

// Dialer opens a channel to a target. Failing to get an answer from a
// stealth port looks the same as the port not existing.
type Dialer interface {
	DialService(ctx context.Context, t Target) (net.Conn, error)
}
