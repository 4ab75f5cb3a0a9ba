package node

import (
	"time"

	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/gnsblock"
	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/gns/publisher"
	"github.com/hush-overlay/hush/gns/resolver"
)

// gnsGetTimeout bounds one DHT lookup of a GNS block.
const gnsGetTimeout = 10 * time.Second

// gnsState is the daemon's name system: zone identities, namestore,
// publisher and resolver. The resolver is owned by the loop; ids and ns
// are safe to use from any goroutine.
type gnsState struct {
	ids      *gns.Identities
	ns       *namestore.Store
	cache    *resolver.BoltCache
	pub      *publisher.Publisher
	resolver *resolver.Resolver
}

// dhtSink publishes GNS blocks into the DHT; dhtSource looks them up. Both
// run on the loop.
type dhtSink struct{ n *Node }
type dhtSource struct{ n *Node }

func (s dhtSink) PutBlock(query [64]byte, data []byte, expires time.Time) {
	err := s.n.dht.Put(block.Key(query), block.TypeGNS, data, expires, dht.PutOptions{})
	if err != nil {
		s.n.log.Warn("gns: publishing a block failed", "err", err)
	}
}

func (s dhtSource) GetBlock(query [64]byte, cb func([]byte), done func()) func() {
	h := s.n.dht.Get(block.Key(query), block.TypeGNS, dht.GetOptions{Timeout: gnsGetTimeout},
		func(r dht.Result) { cb(r.Data) }, done)
	return h.Cancel
}

// buildGNS opens the name system's stores and starts the publisher. It runs
// on the loop, after the DHT exists.
func (n *Node) buildGNS() error {
	n.dht.RegisterBlockType(gnsblock.Plugin{})
	ids, err := gns.OpenIdentities(n.home.String())
	if err != nil {
		return err
	}
	ns, err := namestore.Open(n.db)
	if err != nil {
		return err
	}
	cache, err := resolver.OpenBoltCache(n.db)
	if err != nil {
		return err
	}
	n.gns = &gnsState{ids: ids, ns: ns, cache: cache}
	n.gns.pub = publisher.New(publisher.Config{Env: n.loop, Store: ns, Keys: ids.ZoneKey, Sink: dhtSink{n}})
	n.gns.pub.Start()
	return n.rebuildResolver()
}

// rebuildResolver makes a resolver for the current identities and suffix
// map. It runs on the loop, at start and after identities change.
func (n *Node) rebuildResolver() error {
	g := n.gns
	suffixes, err := g.ids.SuffixMap(n.cfg.GNS.Suffixes)
	if err != nil {
		return err
	}
	g.resolver = resolver.New(resolver.Config{
		Env: n.loop, Suffixes: suffixes, Blocks: dhtSource{n},
		Local: resolver.NamestoreLocal(g.ids, g.ns), Cache: g.cache,
		DNS: &resolver.UDPDNS{Post: n.loop.Post, Now: time.Now},
	})
	return nil
}

// closeGNS stops the publisher and flushes the resolver cache. It runs on
// the loop.
func (n *Node) closeGNS() {
	if n.gns == nil {
		return
	}
	n.gns.pub.Stop()
	n.gns.cache.Close()
}
