package core

import (
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/loop"
	"github.com/hush-overlay/hush/transport"
)

// Core is one peer's CORE: it owns the peer's links and runs entirely on the
// peer's loop. Every method, including the transport.Handler methods, must be
// called on that loop (in a daemon, through loop.Real.Call or Post).
//
// Set-up, in this order:
//
//	c, err := core.New(cfg, env, key, peers)
//	t := transport.NewTCP(env, c, tcpConfig) // c is the transport's Handler
//	c.AddTransport(t)
//	c.Register(core.ServiceDHT, dhtHandler)
//	bound, err := c.Listen([]string{"tcp://0.0.0.0:2086"})
//	c.Start() // dials the bootstrap peers
type Core struct {
	cfg  Config
	env  loop.Env
	log  *slog.Logger
	key  *identity.PrivateKey
	self identity.PeerID

	keys   *keyring
	hellos *helloCache
	replay *replayCache
	peers  PeerStore

	transports map[string]transport.Transport
	services   []registration // sorted by service
	conns      map[transport.Conn]*connState
	links      map[identity.PeerID]*link
	dialing    map[identity.PeerID]*dialState
	// reading counts inbound connections in phaseInbound, bounded by
	// cfg.MaxPending.
	reading int
	// connSeq numbers connection states in creation order.
	connSeq uint64

	listening []string
	ownHello  *hello.Hello
	ownBytes  []byte

	bootstrap map[identity.PeerID]*bootstrapState
	stats     counters
	probeLog  probeLog
	started   bool
	closed    bool
}

type registration struct {
	service Service
	handler Handler
}

var (
	_ Links             = (*Core)(nil)
	_ transport.Handler = (*Core)(nil)
)

// New returns a CORE for the peer with key. It fails on an invalid Config
// or bootstrap entry. Call it on the peer's loop or before the loop runs.
func New(cfg Config, env loop.Env, key *identity.PrivateKey, peers PeerStore) (*Core, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	keys, err := newKeyring(key)
	if err != nil {
		return nil, err
	}
	c := &Core{
		cfg: cfg, env: env, key: key, self: key.PeerID(), keys: keys, peers: peers,
		log:        env.Log().With("subsystem", "core"),
		hellos:     newHelloCache(),
		replay:     newReplayCache(cfg.ReplayCacheSize, cfg.ClockSkew, env.Now()),
		transports: make(map[string]transport.Transport),
		conns:      make(map[transport.Conn]*connState),
		links:      make(map[identity.PeerID]*link),
		dialing:    make(map[identity.PeerID]*dialState),
	}
	if err := c.parseBootstrap(cfg.Bootstrap); err != nil {
		return nil, err
	}
	if err := c.signHello(); err != nil {
		return nil, err
	}
	return c, nil
}

// AddTransport attaches t, which must have been created with c as its
// transport.Handler. Addresses of t's scheme can then be listened on and
// dialled.
func (c *Core) AddTransport(t transport.Transport) {
	c.transports[t.Scheme()] = t
}

// Listen listens on each address and returns the addresses actually bound.
// Unless Config.Advertise is set, our HELLO is re-signed with them.
func (c *Core) Listen(addrs []string) ([]string, error) {
	var bound []string
	for _, addr := range addrs {
		t, err := c.transportFor(addr)
		if err != nil {
			return bound, err
		}
		got, err := t.Listen(addr)
		if err != nil {
			return bound, fmt.Errorf("core: listen on %s: %w", addr, err)
		}
		c.log.Info("core: listening", "address", got)
		bound = append(bound, got)
	}
	c.listening = append(c.listening, bound...)
	return bound, c.signHello()
}

func (c *Core) transportFor(addr string) (transport.Transport, error) {
	scheme, _, err := transport.SplitAddress(addr)
	if err != nil {
		return nil, err
	}
	t, ok := c.transports[scheme]
	if !ok {
		return nil, fmt.Errorf("core: no transport for %q in %s: add one with AddTransport", scheme, addr)
	}
	return t, nil
}

// Register attaches a service's handler. Each service registers once, and
// only registered services may Send or receive.
func (c *Core) Register(s Service, h Handler) error {
	if s == serviceControl {
		return fmt.Errorf("core: service %d is reserved for CORE's control messages", s)
	}
	if c.handler(s) != nil {
		return fmt.Errorf("core: service %s is already registered", s)
	}
	c.services = append(c.services, registration{service: s, handler: h})
	sort.Slice(c.services, func(i, j int) bool { return c.services[i].service < c.services[j].service })
	return nil
}

func (c *Core) handler(s Service) Handler {
	for _, r := range c.services {
		if r.service == s {
			return r.handler
		}
	}
	return nil
}

// Self returns this peer's ID.
func (c *Core) Self() identity.PeerID { return c.self }

// Neighbours returns the peers with a link up, in ID order.
func (c *Core) Neighbours() []identity.PeerID {
	out := make([]identity.PeerID, 0, len(c.links))
	for id := range c.links {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Compare(out[j]) < 0 })
	return out
}

// Hello returns our current signed HELLO, re-signing it once half of its
// lifetime has passed.
func (c *Core) Hello() *hello.Hello {
	if c.env.Now().Add(c.cfg.HelloLifetime / 2).After(c.ownHello.Expires) {
		if err := c.signHello(); err != nil {
			c.log.Error("core: re-sign HELLO failed", "err", err)
		}
	}
	return c.ownHello
}

func (c *Core) helloBytes() []byte {
	c.Hello()
	return c.ownBytes
}

func (c *Core) signHello() error {
	addrs := c.cfg.Advertise
	if len(addrs) == 0 {
		addrs = c.listening
	}
	h, err := hello.New(c.key, addrs, c.env.Now().Add(c.cfg.HelloLifetime))
	if err != nil {
		return fmt.Errorf("core: sign HELLO: %w", err)
	}
	c.ownHello, c.ownBytes = h, h.Marshal()
	return nil
}

// Start dials the bootstrap peers. Call it once, after AddTransport.
func (c *Core) Start() {
	if c.started || c.closed {
		return
	}
	c.started = true
	for _, id := range sortedKeys(c.bootstrap) {
		c.redial(c.bootstrap[id])
	}
}

// Close sends a close message on every link, closes every connection and
// stops every timer. It does not close the transports; their owner does,
// after Close. Services get LinkDown for each link.
func (c *Core) Close() {
	if c.closed {
		return
	}
	c.closed = true
	for _, id := range c.Neighbours() {
		c.dropLink(c.links[id], true, "closing")
	}
	for _, id := range sortedKeys(c.dialing) {
		c.endDial(c.dialing[id], "closing", false)
	}
	for _, st := range c.connsInOrder() {
		st.stopTimer()
		st.conn.Close()
	}
	clear(c.conns)
	for _, b := range c.bootstrap {
		b.stop()
	}
	c.log.Info("core: closed")
}

// connsInOrder returns the connection states in the order they were
// created, so that a simulation replays the same closes in the same order.
func (c *Core) connsInOrder() []*connState {
	out := make([]*connState, 0, len(c.conns))
	for _, st := range c.conns {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// sortedKeys returns the peer IDs of m in ID order.
func sortedKeys[V any](m map[identity.PeerID]V) []identity.PeerID {
	ids := make([]identity.PeerID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Compare(ids[j]) < 0 })
	return ids
}

// now is a shorthand used on hot paths.
func (c *Core) now() time.Time { return c.env.Now() }
