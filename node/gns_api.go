package node

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/namestore"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/resolver"
	"github.com/hush-overlay/hush/gns/zone"
)

// IdentityRequest is the body of the identity requests.
type IdentityRequest struct {
	Name string `json:"name"`
	PKEY bool   `json:"pkey,omitempty"`
}

// RecordRequest is the body of POST /v1/namestore/add and delete.
type RecordRequest struct {
	Zone  string `json:"zone"`
	Label string `json:"label"`
	Type  string `json:"type"`
	Value string `json:"value"`
	// Expire is a relative time such as "1d", "never" or an RFC 3339 time.
	Expire       string `json:"expire,omitempty"`
	Private      bool   `json:"private,omitempty"`
	Shadow       bool   `json:"shadow,omitempty"`
	Supplemental bool   `json:"supplemental,omitempty"`
}

// ZoneRequest names a zone, and carries a zone file for imports.
type ZoneRequest struct {
	Zone    string `json:"zone"`
	Text    string `json:"text,omitempty"`
	Replace bool   `json:"replace,omitempty"`
}

// ZoneText is a zone in the namestore's text form.
type ZoneText struct {
	Text string `json:"text"`
}

// LookupRequest is the body of POST /v1/gns/lookup.
type LookupRequest struct {
	Name        string  `json:"name"`
	Type        string  `json:"type,omitempty"`
	TimeoutSecs float64 `json:"timeout_seconds,omitempty"`
}

// LookupResponse is a resolution result, with the records also in wire
// form so that the DNS bridge can convert them exactly.
type LookupResponse struct {
	resolver.ResultView
	Raw []RawRecord `json:"raw,omitempty"`
}

// RawRecord is a record's wire fields.
type RawRecord struct {
	Type       uint32 `json:"type"`
	Flags      uint16 `json:"flags"`
	Expiration uint64 `json:"expiration_us"`
	Data       []byte `json:"data"`
}

func (n *Node) gnsRoutes(mux *http.ServeMux) {
	mux.Handle("POST /v1/identity/create", control.Handler(n.handleIdentityCreate))
	mux.Handle("GET /v1/identity", control.Handler(n.handleIdentityList))
	mux.Handle("POST /v1/identity/delete", control.Handler(n.handleIdentityDelete))
	mux.Handle("POST /v1/identity/default", control.Handler(n.handleIdentityDefault))
	mux.Handle("POST /v1/namestore/add", control.Handler(n.handleRecordAdd))
	mux.Handle("POST /v1/namestore/delete", control.Handler(n.handleRecordDelete))
	mux.Handle("POST /v1/namestore/list", control.Handler(n.handleZoneList))
	mux.Handle("POST /v1/namestore/import", control.Handler(n.handleZoneImport))
	mux.Handle("POST /v1/namestore/export", control.Handler(n.handleZoneExport))
	mux.Handle("POST /v1/gns/lookup", control.Handler(n.handleLookup))
}

// identityChanged rebuilds the resolver, whose suffix map names the
// default zone.
func (n *Node) identityChanged() error {
	var err error
	if callErr := n.call(func() { err = n.rebuildResolver() }); callErr != nil {
		return callErr
	}
	return err
}

func (n *Node) handleIdentityCreate(_ context.Context, req IdentityRequest) (gns.IdentityInfo, error) {
	typ := zone.TypeEDKEY
	if req.PKEY {
		typ = zone.TypePKEY
	}
	n.idMu.Lock()
	defer n.idMu.Unlock()
	id, err := n.gns.ids.Create(req.Name, typ, rand.Reader)
	if err != nil {
		return gns.IdentityInfo{}, userError(err)
	}
	return id.Info(), n.identityChanged()
}

func (n *Node) handleIdentityList(context.Context, Empty) ([]gns.IdentityInfo, error) {
	ids, err := n.gns.ids.List()
	out := make([]gns.IdentityInfo, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.Info())
	}
	return out, err
}

// handleIdentityDelete withdraws the zone's published records, then
// removes its key.
func (n *Node) handleIdentityDelete(_ context.Context, req IdentityRequest) (Empty, error) {
	n.idMu.Lock()
	defer n.idMu.Unlock()
	id, err := n.gns.ids.Get(req.Name)
	if err != nil {
		return Empty{}, userError(err)
	}
	if _, err := n.gns.ns.DeleteZone(id.Zone()); err != nil {
		return Empty{}, err
	}
	if err := n.gns.ids.Delete(req.Name); err != nil {
		return Empty{}, userError(err)
	}
	return Empty{}, n.identityChanged()
}

func (n *Node) handleIdentityDefault(_ context.Context, req IdentityRequest) (Empty, error) {
	n.idMu.Lock()
	defer n.idMu.Unlock()
	if err := n.gns.ids.SetDefault(req.Name); err != nil {
		return Empty{}, userError(err)
	}
	return Empty{}, n.identityChanged()
}

// zoneOf returns the zone key of the identity called name.
func (n *Node) zoneOf(name string) (zone.PublicKey, error) {
	if name == "" {
		return zone.PublicKey{}, control.Errorf(http.StatusBadRequest, "missing --zone: name one of your identities (hush identity list)")
	}
	id, err := n.gns.ids.Get(name)
	if err != nil {
		return zone.PublicKey{}, userError(err)
	}
	return id.Zone(), nil
}

func (n *Node) handleRecordAdd(_ context.Context, req RecordRequest) (Empty, error) {
	zk, err := n.zoneOf(req.Zone)
	if err != nil {
		return Empty{}, err
	}
	if req.Expire == "" {
		return Empty{}, control.Errorf(http.StatusBadRequest, "missing --expire: give a relative time such as 1d, or never")
	}
	rec, err := gns.ParseRecord(req.Type, req.Value, req.Expire, recordFlags(req))
	if err != nil {
		return Empty{}, userError(err)
	}
	return Empty{}, userError(n.gns.ns.Add(zk, req.Label, rec))
}

func recordFlags(req RecordRequest) string {
	var words []string
	for _, f := range []struct {
		set  bool
		word string
	}{{req.Private, "private"}, {req.Shadow, "shadow"}, {req.Supplemental, "supplemental"}} {
		if f.set {
			words = append(words, f.word)
		}
	}
	if len(words) == 0 {
		return "-"
	}
	return strings.Join(words, ",")
}

func (n *Node) handleRecordDelete(_ context.Context, req RecordRequest) (Empty, error) {
	zk, err := n.zoneOf(req.Zone)
	if err != nil {
		return Empty{}, err
	}
	m, err := namestore.ParseMatch(req.Type, req.Value)
	if err != nil {
		return Empty{}, userError(err)
	}
	_, err = n.gns.ns.Delete(zk, req.Label, m)
	return Empty{}, userError(err)
}

func (n *Node) handleZoneList(_ context.Context, req ZoneRequest) ([]gns.RecordInfo, error) {
	zk, err := n.zoneOf(req.Zone)
	if err != nil {
		return nil, err
	}
	infos, err := n.gns.ns.Infos(zk, "")
	if infos == nil {
		infos = []gns.RecordInfo{}
	}
	return infos, err
}

func (n *Node) handleZoneImport(_ context.Context, req ZoneRequest) (Empty, error) {
	zk, err := n.zoneOf(req.Zone)
	if err != nil {
		return Empty{}, err
	}
	err = n.gns.ns.Import(zk, strings.NewReader(req.Text), namestore.ImportOptions{Replace: req.Replace})
	return Empty{}, userError(err)
}

func (n *Node) handleZoneExport(_ context.Context, req ZoneRequest) (ZoneText, error) {
	zk, err := n.zoneOf(req.Zone)
	if err != nil {
		return ZoneText{}, err
	}
	var b strings.Builder
	err = n.gns.ns.Export(zk, &b)
	return ZoneText{Text: b.String()}, err
}

// handleLookup resolves a name on the loop and waits for the result.
func (n *Node) handleLookup(ctx context.Context, req LookupRequest) (LookupResponse, error) {
	typ, err := resolver.ParseType(req.Type)
	if err != nil {
		return LookupResponse{}, userError(err)
	}
	timeout := time.Duration(req.TimeoutSecs * float64(time.Second))
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := n.resolve(ctx, req.Name, typ)
	out := LookupResponse{ResultView: res.View()}
	for _, r := range res.Records {
		out.Raw = append(out.Raw, RawRecord{Type: uint32(r.Type), Flags: uint16(r.Flags), Expiration: uint64(r.Expiration), Data: r.Data})
	}
	return out, nil
}

// resolve runs one resolution from a goroutine other than the loop.
func (n *Node) resolve(ctx context.Context, name string, typ record.Type) resolver.Result {
	results := make(chan resolver.Result, 1)
	var cancel func()
	if err := n.call(func() {
		cancel = n.gns.resolver.Resolve(name, typ, func(r resolver.Result) { results <- r })
	}); err != nil {
		return resolver.Result{Code: resolver.Failed, Name: name, Err: err}
	}
	select {
	case r := <-results:
		return r
	case <-ctx.Done():
		n.call(cancel)
		return resolver.Result{Code: resolver.Failed, Name: name, Err: resolver.ErrTimeout}
	}
}

// userError marks errors caused by the request's values as HTTP 400, so
// the CLI prints them as they are.
func userError(err error) error {
	if err == nil {
		return nil
	}
	var ce *control.Error
	if errors.As(err, &ce) {
		return err
	}
	return control.Errorf(http.StatusBadRequest, "%v", err)
}
