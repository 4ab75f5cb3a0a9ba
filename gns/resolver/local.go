package resolver

import (
	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// NamestoreLocal returns a LocalFunc that looks up the zones that ids has
// a key for in the namestore. An error reading the namestore
// counts as "not local", so the resolver falls back to the DHT.
func NamestoreLocal(ids *gns.Identities, ns *namestore.Store) LocalFunc {
	return func(zk zone.PublicKey, label string) ([]record.Record, bool) {
		if !ids.Owns(zk) {
			return nil, false
		}
		recs, err := ns.Lookup(zk, label)
		return recs, err == nil
	}
}
