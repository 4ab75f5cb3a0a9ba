package node

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/stealth"
)

// vpnProtocolTCP is the IP protocol number a VPN record names for a public
// TCP service.
const vpnProtocolTCP = 6

// localDialTimeout bounds the connection to an exposed local service.
const localDialTimeout = 10 * time.Second

// exposer runs the exposed services: one CADET port per service, each
// accepted channel forwarded to the service's local TCP address. Its
// methods run on control API goroutines, never on the loop.
type exposer struct {
	n      *Node
	reg    *stealth.Registry
	mu     sync.Mutex // serialises changes
	active map[string]*exposedPort
}

// exposedPort is one listening service and its open sessions.
type exposedPort struct {
	svc stealth.Service
	l   cadet.Listener

	mu       sync.Mutex
	closed   bool
	sessions map[net.Conn]bool // accepted channels being forwarded
}

// track adds a session, or reports false once the port is closed.
func (p *exposedPort) track(ch net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.sessions[ch] = true
	return true
}

func (p *exposedPort) untrack(ch net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.sessions, ch)
}

// shut closes the port and ends its sessions, so that removing a service
// cuts off those who are connected too.
func (p *exposedPort) shut() {
	p.l.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for ch := range p.sessions {
		ch.Close()
	}
}

func newExposer(n *Node) (*exposer, error) {
	reg, err := stealth.OpenRegistry(n.db)
	if err != nil {
		return nil, err
	}
	return &exposer{n: n, reg: reg, active: make(map[string]*exposedPort)}, nil
}

// restore opens the ports of every registered service after a restart.
// A service that fails to open is logged and left registered.
func (e *exposer) restore() {
	services, err := e.reg.List()
	if err != nil {
		e.n.log.Error("expose: registry entries skipped", "err", err)
	}
	for _, svc := range services {
		if err := e.open(svc); err != nil {
			e.n.log.Error("expose: cannot reopen service", "name", svc.Name, "err", err)
		}
	}
}

// expose registers svc, opens its port and publishes its record. An
// existing service of the same name is replaced.
func (e *exposer) expose(svc stealth.Service, expire string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := stealth.CheckService(svc); err != nil {
		return err
	}
	if _, err := recordLifetime(expire); err != nil {
		return err
	}
	svc.Expire = expire
	old, running := e.active[svc.Name]
	e.close(svc.Name)
	if err := e.open(svc); err != nil {
		e.reopen(old, running)
		return err
	}
	if err := e.publish(svc, expire); err != nil {
		e.close(svc.Name)
		e.reopen(old, running)
		return err
	}
	if prev, err := e.reg.Get(svc.Name); err == nil && prev.Zone != svc.Zone {
		// The service moved to another zone: its old record goes.
		if err := e.withdraw(prev); err != nil {
			e.n.log.Warn("expose: cannot withdraw the record in the previous zone", "name", svc.Name, "zone", prev.Zone, "err", err)
		}
	}
	return e.reg.Put(svc)
}

// reopen restarts the service that a failed expose replaced, so that a
// mistake in a new exposure does not take the running one down.
func (e *exposer) reopen(old *exposedPort, running bool) {
	if !running {
		return
	}
	if err := e.open(old.svc); err != nil {
		e.n.log.Error("expose: cannot reopen the previous service", "name", old.svc.Name, "err", err)
	}
}

// remove closes the port, withdraws the record and deletes the service from the registry.
func (e *exposer) remove(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc, err := e.reg.Get(name)
	if errors.Is(err, stealth.ErrCorruptEntry) {
		// Nothing can be withdrawn for an entry that does not decode.
		e.n.log.Warn("expose: removing a corrupt registry entry", "name", name, "err", err)
		e.close(name)
		return e.reg.Delete(name)
	}
	if err != nil {
		return err
	}
	e.close(name)
	if err := e.withdraw(svc); err != nil {
		return err
	}
	return e.reg.Delete(name)
}

// list returns the valid services; corrupt registry entries are logged.
func (e *exposer) list() ([]stealth.Service, error) {
	services, err := e.reg.List()
	if errors.Is(err, stealth.ErrCorruptEntry) {
		e.n.log.Warn("expose: registry entries skipped", "err", err)
		err = nil
	}
	return services, err
}

// rotate gives a stealth service a new secret and republishes its record.
// The old secret keeps opening the port for the record's lifetime plus the
// stealth time window, the longest a client may act on the old record.
func (e *exposer) rotate(name, expire string) (stealth.Service, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	svc, err := e.reg.Get(name)
	if err != nil {
		return svc, err
	}
	if svc.Public {
		return svc, fmt.Errorf("expose: service %q is public and has no secret to rotate", name)
	}
	if svc.Previous != nil && time.Now().Before(svc.PreviousUntil) {
		// The port holds two secrets; a third would end the oldest before
		// the time the last rotation promised.
		return svc, fmt.Errorf("expose: the previous secret of %q stays valid until %s; rotate again after that, or remove the name to cut everyone off at once", name, svc.PreviousUntil.Format(time.RFC3339))
	}
	if _, err := recordLifetime(expire); err != nil {
		return svc, err
	}
	// Clients may act on the record published before this rotation for
	// its whole lifetime, whatever lifetime the new record gets.
	published := svc.Expire
	if published == "" {
		published = DefaultServiceExpire
	}
	lifetime, err := recordLifetime(published)
	if err != nil {
		return svc, err
	}
	secret, err := stealth.NewSecret(rand.Reader)
	if err != nil {
		return svc, err
	}
	now := time.Now().UTC()
	svc.Previous, svc.PreviousUntil = svc.Secret, now.Add(lifetime+stealthWindow)
	svc.Secret, svc.Rotated, svc.Expire = secret, now, expire
	if err := e.n.cadetAPI.RotateSecret(name, *secret, svc.PreviousUntil); err != nil {
		return svc, err
	}
	if err := e.publish(svc, expire); err != nil {
		return svc, err
	}
	return svc, e.reg.Put(svc)
}

// stealthWindow is CADET's default allowed clock difference of a stealth
// open, the time a token minted from an old record stays usable.
const stealthWindow = 2 * time.Minute

// recordLifetime returns how long a record published with expire lives.
// Exposed services take relative lifetimes only ("15m", "1d"): with
// "never" or a fixed time, a rotation could not bound how long clients
// act on the old secret.
func recordLifetime(expire string) (time.Duration, error) {
	exp, flags, err := gns.ParseExpiration(expire)
	if err != nil {
		return 0, err
	}
	if flags&record.FlagRelativeExpiration == 0 {
		return 0, fmt.Errorf("expose: invalid --expire %q: an exposed service's record needs a relative lifetime such as 15m or 1d, so that rotation can end the old secret", expire)
	}
	return exp.Duration(), nil
}

func (e *exposer) open(svc stealth.Service) error {
	l, err := e.n.cadetAPI.Listen(svc.Name, cadet.ListenOptions{Secret: svc.Secret})
	if err != nil {
		return fmt.Errorf("expose: open port %q: %w", svc.Name, err)
	}
	if svc.Previous != nil && time.Now().Before(svc.PreviousUntil) {
		// Reopened after a restart within a rotation's grace period: the
		// first call makes the old secret current, and the second makes
		// the new one current with the old one accepted until the end.
		if err := e.n.cadetAPI.RotateSecret(svc.Name, *svc.Previous, time.Time{}); err == nil {
			e.n.cadetAPI.RotateSecret(svc.Name, *svc.Secret, svc.PreviousUntil)
		}
	}
	p := &exposedPort{svc: svc, l: l, sessions: make(map[net.Conn]bool)}
	e.active[svc.Name] = p
	go e.serve(p)
	e.n.log.Info("expose: service open", "name", svc.Name, "to", svc.To, "public", svc.Public)
	return nil
}

func (e *exposer) close(name string) {
	if p := e.active[name]; p != nil {
		p.shut()
		delete(e.active, name)
	}
}

// closeAll closes every port; the registry keeps them for the next start.
func (e *exposer) closeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for name := range e.active {
		e.close(name)
	}
}

// serve forwards each accepted channel to the local address until the
// port closes.
func (e *exposer) serve(p *exposedPort) {
	for {
		ch, err := p.l.Accept()
		if err != nil {
			return
		}
		if !p.track(ch) {
			ch.Close()
			return
		}
		go func() {
			defer p.untrack(ch)
			e.forward(p, ch)
		}()
	}
}

// forward connects ch to the service's local address. Closing both, as
// exposedPort.shut does, ends the session.
func (e *exposer) forward(p *exposedPort, ch net.Conn) {
	svc := p.svc
	ctx, cancel := context.WithTimeout(e.n.ctx, localDialTimeout)
	var d net.Dialer
	local, err := d.DialContext(ctx, "tcp", svc.To)
	cancel()
	if err != nil {
		e.n.log.Warn("expose: local service unreachable", "name", svc.Name, "to", svc.To, "err", err)
		ch.Close()
		return
	}
	if !p.track(local) {
		ch.Close()
		local.Close()
		return
	}
	defer p.untrack(local)
	stop := context.AfterFunc(e.n.ctx, func() { ch.Close(); local.Close() })
	defer stop()
	up, down := stealth.Splice(ch, local)
	e.n.log.Debug("expose: channel closed", "name", svc.Name, "in", up, "out", down)
}

// record returns the record that names svc: STEALTH with the secret, or
// VPN for a public service.
func (e *exposer) record(svc stealth.Service) (string, string) {
	if svc.Public {
		return "VPN", fmt.Sprintf("%d %s %s", vpnProtocolTCP, e.n.PeerID(), svc.Name)
	}
	return "STEALTH", fmt.Sprintf("%s %s %x", e.n.PeerID(), svc.Name, svc.Secret[:])
}

// publish puts the service's record under label svc.Name in its zone,
// replacing an earlier STEALTH or VPN record there, in one transaction.
func (e *exposer) publish(svc stealth.Service, expire string) error {
	zk, err := e.n.zoneOf(svc.Zone)
	if err != nil {
		return err
	}
	typ, value := e.record(svc)
	rec, err := gns.ParseRecord(typ, value, expire, "-")
	if err != nil {
		return err
	}
	recs, err := e.n.gns.ns.Lookup(zk, svc.Name)
	if err != nil {
		return err
	}
	return e.n.gns.ns.Replace(zk, svc.Name, append(withoutServiceRecords(recs), rec))
}

// withdraw removes the service's record from its zone.
func (e *exposer) withdraw(svc stealth.Service) error {
	zk, err := e.n.zoneOf(svc.Zone)
	if err != nil {
		e.n.log.Warn("expose: zone gone, no record to withdraw", "name", svc.Name, "zone", svc.Zone, "err", err)
		return nil
	}
	recs, err := e.n.gns.ns.Lookup(zk, svc.Name)
	if err != nil {
		return err
	}
	return e.n.gns.ns.Replace(zk, svc.Name, withoutServiceRecords(recs))
}

func withoutServiceRecords(recs []record.Record) []record.Record {
	var kept []record.Record
	for _, r := range recs {
		if r.Type != record.TypeSTEALTH && r.Type != record.TypeVPN {
			kept = append(kept, r)
		}
	}
	return kept
}
