// Package gns holds what the GNS namestore, publisher and resolver share.
// These are the user's zone identities (named zone private keys), the map
// from name suffixes such as ".gnu" to zones, the parsing of GNS names,
// and the text forms of record fields (expiration, flags) with a
// JSON-friendly record view.
//
// A GNS name is a dot-separated list of labels ending either in a zTLD
// (the Base32GNS form of a zone key) or in a suffix that the suffix map
// binds to a zone. Resolution walks the labels right to left, starting in
// that zone.
//
// The pieces fit together in a daemon as follows:
//
//	ids, _ := gns.OpenIdentities(home)               // zones/*.zkey
//	def, _ := ids.Default()
//	suffixes, _ := gns.NewSuffixMap(def.Zone(), cfg.Suffixes)
//	ns, _ := namestore.Open(db)                      // bucket "namestore"
//	pub := publisher.New(publisher.Config{Env: env, Store: ns, Keys: ids.ZoneKey, Sink: dhtSink})
//	pub.Start()                                      // on the loop
//	cache, _ := resolver.OpenBoltCache(db)           // bucket "gnscache"; Close before db
//	res := resolver.New(resolver.Config{Env: env, Suffixes: suffixes, Blocks: dhtSource,
//		Local: resolver.NamestoreLocal(ids, ns), Cache: cache,
//		DNS: &resolver.UDPDNS{Post: env.Post, Now: time.Now}})
//	lookup := resolver.Blocking{Post: env.Post, Resolver: res}
//	bridge, _ := dnsbridge.Listen(dnsbridge.Config{Addr: "127.0.0.1:5353",
//		Resolve: dnsbridge.FromResolver(lookup.Resolve, time.Now)})
package gns
