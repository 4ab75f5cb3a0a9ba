// Package resolver resolves GNS names (RFC 9498, section 7) as a sans-IO
// state machine on the peer's loop.
//
// A resolution starts in the zone of the name's zTLD or mapped suffix and
// walks the labels right to left. For each label it finds the record set
// in the user's own zones (Local), in the cache, or in a block from a
// BlockSource (the DHT). Such a block must verify, must not have expired
// and must decrypt for that zone and label. Then, for the label's record
// set:
//
//   - labels remain: a PKEY or EDKEY record delegates them to another
//     zone, a REDIRECT replaces the name, GNS2DNS hands them to DNS, and
//     BOX records answer "_SERVICE._PROTO" prefixes; anything else means
//     the name does not exist;
//   - no label remains: a lone delegation continues with the apex label
//     "@" of the delegated zone, a REDIRECT or GNS2DNS is followed unless
//     that type was requested, and otherwise the records of the requested
//     type are the answer.
//
// Expired records are dropped and SHADOW records replace expired ones
// (record.Active). A CRITICAL record of a type this resolver does not
// implement fails the resolution. Names outside GNS are never sent to DNS;
// only GNS2DNS delegations reach DNS, through the DNSClient. Delegations
// and redirects together are bounded by MaxHops, and a name seen twice in
// one resolution is a loop.
package resolver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/loop"
)

// Code is the outcome of a resolution.
type Code int

const (
	// Found: the name exists. Records may be empty when it has no record
	// of the requested type.
	Found Code = iota
	// NotFound: the name does not exist (like DNS NXDOMAIN).
	NotFound
	// NotGNS: the name is outside every GNS suffix and zTLD.
	NotGNS
	// Failed: the resolution failed, and Err gives the reason.
	Failed
)

func (c Code) String() string {
	switch c {
	case Found:
		return "found"
	case NotFound:
		return "not found"
	case NotGNS:
		return "not a GNS name"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// MarshalText implements encoding.TextMarshaler for JSON results.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, so clients of the
// control API can decode results.
func (c *Code) UnmarshalText(b []byte) error {
	for _, k := range []Code{Found, NotFound, NotGNS, Failed} {
		if k.String() == string(b) {
			*c = k
			return nil
		}
	}
	return fmt.Errorf("resolver: unknown result code %q", b)
}

// TypeAny requests the records of every type.
const TypeAny record.Type = 0

// Errors carried in Result.Err.
var (
	ErrTimeout     = errors.New("resolver: timed out")
	ErrTooManyHops = errors.New("resolver: too many delegations and redirects")
	ErrLoop        = errors.New("resolver: delegation or redirect loop")
	ErrCritical    = errors.New("resolver: critical record of an unsupported type")
	ErrInvalidSet  = errors.New("resolver: invalid record set")
	ErrCancelled   = errors.New("resolver: cancelled")
	ErrRevoked     = errors.New("resolver: zone is revoked")
)

// Result is the outcome of one resolution.
type Result struct {
	Code Code
	// Name is the name that was resolved.
	Name string
	// Records are the matching records, with absolute expirations.
	Records []record.Record
	Err     error
}

// Infos returns the records in their JSON-friendly form.
func (r Result) Infos() []gns.RecordInfo {
	out := make([]gns.RecordInfo, 0, len(r.Records))
	for _, rec := range r.Records {
		out = append(out, gns.NewRecordInfo(r.Name, rec))
	}
	return out
}

// BlockSource looks up blocks by query, usually in the DHT. GetBlock calls
// cb for each block it finds and done when the search ends, both on the
// peer's loop; after cancel, neither is called again.
type BlockSource interface {
	GetBlock(query [64]byte, cb func(block []byte), done func()) (cancel func())
}

// LocalFunc returns the record set of label in zone zk when zk is one of
// the user's own zones (ok is true, even for an empty set), including
// private records. Relative expirations are allowed.
type LocalFunc func(zk zone.PublicKey, label string) (recs []record.Record, ok bool)

// Config sets up a Resolver. Only Env, Suffixes and Blocks are required.
type Config struct {
	Env      loop.Env
	Suffixes *gns.SuffixMap
	Blocks   BlockSource
	Local    LocalFunc
	Cache    Cache
	DNS      DNSClient
	// Timeout bounds one resolution; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxHops bounds delegations and redirects; zero means DefaultMaxHops.
	MaxHops int
	// Revoked, if set, reports whether a zone has a valid revocation
	// (RFC 9498, section 6). Resolution fails on entering such a zone.
	Revoked func(zk zone.PublicKey) bool
	// Trace, if set, is called for each step of every resolution, for
	// transcripts in tests and debugging tools.
	Trace func(Step)
}

// Step is one step of a resolution, as Config.Trace reports it.
type Step struct {
	Name   string         // the name being resolved
	Zone   zone.PublicKey // the zone of the label
	Label  string
	Source string // "local", "cache", "dht" or "none" (no valid block)
	// Records is the number of records the label's set has.
	Records int
}

const (
	// DefaultTimeout matches what DNS stub resolvers wait in total, so a
	// bridged query fails before the stub gives up.
	DefaultTimeout = 5 * time.Second
	// DefaultMaxHops follows GNUnet's limit on resolution steps; no real
	// name needs more than a few delegations.
	DefaultMaxHops = 16
)

// Resolver resolves names on one peer's loop.
type Resolver struct {
	cfg  Config
	log  *slog.Logger
	keys map[string]zone.PublicKey // parsed delegation keys by record data
}

// maxParsedKeys bounds Resolver.keys. Checking that a key is a curve point
// costs more than the rest of a cached lookup, so the resolver keeps the
// parsed keys of the delegations it has met. At the bound it starts afresh.
const maxParsedKeys = 4096

// zoneKey returns the zone key of a delegation record.
func (r *Resolver) zoneKey(rec record.Record) (zone.PublicKey, error) {
	id := string(binary.BigEndian.AppendUint32(nil, uint32(rec.Type))) + string(rec.Data)
	if zk, ok := r.keys[id]; ok {
		return zk, nil
	}
	zk, err := rec.ZoneKey()
	if err != nil {
		return zone.PublicKey{}, err
	}
	if len(r.keys) >= maxParsedKeys {
		clear(r.keys)
	}
	r.keys[id] = zk
	return zk, nil
}

// New returns a resolver. A nil Cache becomes an in-memory cache.
func New(cfg Config) *Resolver {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxHops <= 0 {
		cfg.MaxHops = DefaultMaxHops
	}
	if cfg.Cache == nil {
		cfg.Cache = NewMemCache(DefaultMemCacheSize)
	}
	return &Resolver{cfg: cfg, log: cfg.Env.Log().With("subsystem", "gns-resolver"), keys: make(map[string]zone.PublicKey)}
}

// Resolve resolves name for records of typ (TypeAny for all) and calls cb
// once with the result, on the loop, possibly before Resolve returns. The
// returned function cancels the resolution; cb then gets Failed with
// ErrCancelled unless it already ran.
func (r *Resolver) Resolve(name string, typ record.Type, cb func(Result)) (cancel func()) {
	parsed, err := r.cfg.Suffixes.ParseName(name)
	switch {
	case errors.Is(err, gns.ErrNotGNS):
		cb(Result{Code: NotGNS, Name: name, Err: err})
		return func() {}
	case err != nil:
		cb(Result{Code: Failed, Name: name, Err: err})
		return func() {}
	}
	l := r.newLookup(name, parsed, typ, cb)
	l.start()
	return l.cancel
}
