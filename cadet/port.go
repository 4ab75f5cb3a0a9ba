package cadet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/identity"
)

// PortHash returns the wire name of port on peer dest:
// BLAKE2b-256("hush-cadet-port" || dest || name). Relays never see it, and
// because it includes dest, a peer cannot tell that two ports on
// different peers share a name.
func PortHash(name string, dest identity.PeerID) [wire.PortHashSize]byte {
	h, _ := blake2b.New256(nil)
	h.Write([]byte("hush-cadet-port"))
	h.Write(dest[:])
	h.Write([]byte(name))
	var out [wire.PortHashSize]byte
	h.Sum(out[:0])
	return out
}

// port is a listening port. A nil secret marks a public port, which
// accepts opens without a token.
type port struct {
	name   string
	hash   [wire.PortHashSize]byte
	secret *[32]byte
	// previous is the secret before the last rotation, accepted until
	// previousUntil so that clients holding an older record keep working.
	previous      *[32]byte
	previousUntil time.Time
	rel           Reliability
	accept        func(*Channel)
}

// secrets returns the keys an open's token is checked against: the
// port's secret and its previous one while that is still accepted. Each
// is the dummy secret when absent, so every open costs two MACs.
func (p *port) secrets(now time.Time) (current, previous *[32]byte) {
	current, previous = &dummySecret, &dummySecret
	if p == nil {
		return current, previous
	}
	if p.secret != nil {
		current = p.secret
	}
	if p.previous != nil && now.Before(p.previousUntil) {
		previous = p.previous
	}
	return current, previous
}

// ErrNoSuchPort is returned by RotateSecret for a port that does not
// listen or has no secret.
var ErrNoSuchPort = errors.New("cadet: no stealth port of that name")

// RotateSecret gives the stealth port name a new secret. The old secret
// keeps opening the port until graceUntil, so that clients that resolved
// the old record before the rotation are not cut off.
func (e *Engine) RotateSecret(name string, secret [32]byte, graceUntil time.Time) error {
	p := e.ports[PortHash(name, e.self)]
	if p == nil || p.secret == nil {
		return fmt.Errorf("%w: %q", ErrNoSuchPort, name)
	}
	old := *p.secret
	p.previous, p.previousUntil = &old, graceUntil
	p.secret = &secret
	return nil
}

// ErrPortInUse is returned by Listen for a port that already listens.
var ErrPortInUse = errors.New("cadet: port already in use")

// ListenPort opens port on this peer. accept runs on the loop for each
// accepted channel. The channel's reliability is the opener's choice.
func (e *Engine) ListenPort(name string, secret *[32]byte, accept func(*Channel)) (close func(), err error) {
	h := PortHash(name, e.self)
	if e.ports[h] != nil {
		return nil, fmt.Errorf("%w: %q", ErrPortInUse, name)
	}
	p := &port{name: name, hash: h, accept: accept}
	if secret != nil {
		s := *secret
		p.secret = &s
	}
	e.ports[h] = p
	return func() {
		if e.ports[h] == p {
			delete(e.ports, h)
		}
	}, nil
}

// receiveOpen checks a CHANNEL_OPEN and, if it passes, opens the channel,
// delivers the first payload and responds with CHANNEL_OPEN_ACK. Any
// failure gets no response at all (see checkOpen).
func (e *Engine) receiveOpen(t *tunnel, plain []byte) {
	m, parseErr := wire.ParseChannelOpen(plain)
	p, class := e.checkOpen(t, m, parseErr)
	if class != refusalNone {
		e.refuse(t, class)
		return
	}
	if ch := t.channels[m.CTN]; ch != nil {
		if !ch.opener && ch.portHash == m.PortHash && ch.state == chanOpen {
			ch.sendOpenAck()
		}
		return
	}
	e.accept(t, p, m)
}

func (e *Engine) accept(t *tunnel, p *port, m *wire.ChannelOpen) {
	ch := e.newChannel(t, m.CTN, reliabilityOf(m.Options), false)
	ch.port, ch.portHash, ch.state = p.name, p.hash, chanOpen
	ch.rcv.acceptFirst(append([]byte(nil), m.Payload...), ch.rel)
	e.stats.OpensAccepted++
	ch.sendOpenAck()
	p.accept(ch.app)
	if len(m.Payload) > 0 {
		ch.app.notifyReadable()
	}
}

func (ch *channel) sendOpenAck() {
	ch.rcv.advertised = ch.rcv.windowEnd()
	ch.t.sendTunnel((&wire.ChannelOpenAck{CTN: ch.ctn, WindowEnd: ch.rcv.advertised}).Append(nil))
}

// PortInfo describes a listening port. A stealth port accepts only opens
// with a valid token, and a public port accepts any open.
type PortInfo struct {
	Name    string `json:"name"`
	Stealth bool   `json:"stealth"`
}

// Ports lists the listening ports by name. Called on the loop.
func (e *Engine) Ports() []PortInfo {
	out := make([]PortInfo, 0, len(e.ports))
	for _, p := range e.ports {
		out = append(out, PortInfo{Name: p.name, Stealth: p.secret != nil})
	}
	slices.SortFunc(out, func(a, b PortInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}
