package node

import (
	"context"
	"net/http"
	"time"

	"github.com/hush-overlay/hush/control"
	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/datastore"
)

// DHTPutRequest is the body of POST /v1/dht/put.
type DHTPutRequest struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	ExpireSecs  int64  `json:"expire_seconds"`
	Replication int    `json:"replication"`
}

// DHTGetRequest is the body of POST /v1/dht/get.
type DHTGetRequest struct {
	Key         string  `json:"key"`
	TimeoutSecs float64 `json:"timeout_seconds"`
}

// DHTGetResponse lists the values found.
type DHTGetResponse struct {
	Values []string `json:"values"`
}

// DHTStats is the response to GET /v1/dht/stats.
type DHTStats struct {
	TableSize           int               `json:"table_size"`
	Neighbours          int               `json:"neighbours"`
	NetworkSizeEstimate float64           `json:"network_size_estimate"`
	StoredBlocks        int               `json:"stored_blocks"`
	StoredBytes         int64             `json:"stored_bytes"`
	PendingGets         int               `json:"pending_gets"`
	MessagesIn          map[string]uint64 `json:"messages_in"`
	MessagesOut         map[string]uint64 `json:"messages_out"`
	Dropped             uint64            `json:"dropped"`
}

// maxExpireSecs bounds a CLI block's lifetime at ten years.
const maxExpireSecs = 10 * 365 * 24 * 3600

// collectWindow is how long a CLI GET keeps collecting after the first
// value arrives, since TEST blocks are not unique and more may follow.
const collectWindow = time.Second

// buildDHT creates the DHT on the home's datastore and registers it with
// CORE. It runs on the loop.
func (n *Node) buildDHT() error {
	ds, err := datastore.NewBolt(n.db, n.cfg.Limits.DatastoreQuota)
	if err != nil {
		return err
	}
	n.dht = dht.New(dht.Config{LinkLimit: n.cfg.Limits.MaxLinks / 2}, n.loop, n.core, n.key, ds)
	return n.core.Register(core.ServiceDHT, n.dht)
}

func (n *Node) dhtRoutes(mux *http.ServeMux) {
	mux.Handle("POST /v1/dht/put", control.Handler(n.handleDHTPut))
	mux.Handle("POST /v1/dht/get", control.Handler(n.handleDHTGet))
	mux.Handle("GET /v1/dht/stats", control.Handler(n.handleDHTStats))
}

func (n *Node) handleDHTPut(_ context.Context, req DHTPutRequest) (Empty, error) {
	if req.Key == "" {
		return Empty{}, control.Errorf(http.StatusBadRequest, "missing key")
	}
	if req.ExpireSecs <= 0 || req.ExpireSecs > maxExpireSecs {
		return Empty{}, control.Errorf(http.StatusBadRequest, "invalid expiry %d s: must be between 1 s and %d s (10 years)", req.ExpireSecs, maxExpireSecs)
	}
	if req.Replication < 0 || req.Replication > dht.MaxReplication {
		return Empty{}, control.Errorf(http.StatusBadRequest, "invalid replication %d: must be between 1 and %d (0 for the default)", req.Replication, dht.MaxReplication)
	}
	var err error
	callErr := n.call(func() {
		expires := n.loop.Now().Add(time.Duration(req.ExpireSecs) * time.Second)
		opts := dht.PutOptions{Replication: req.Replication}
		err = n.dht.Put(block.KeyForString(req.Key), block.TypeTest, []byte(req.Value), expires, opts)
	})
	if err != nil {
		return Empty{}, control.Errorf(http.StatusBadRequest, "%v", err)
	}
	return Empty{}, callErr
}

// handleDHTGet runs a GET until the timeout, or until collectWindow after
// the first value.
func (n *Node) handleDHTGet(ctx context.Context, req DHTGetRequest) (DHTGetResponse, error) {
	timeout := time.Duration(req.TimeoutSecs * float64(time.Second))
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	first := make(chan struct{})
	done := make(chan struct{})
	var values []string // written on the loop, read after done is closed
	var handle dht.GetHandle
	err := n.call(func() {
		opts := dht.GetOptions{Timeout: timeout}
		handle = n.dht.Get(block.KeyForString(req.Key), block.TypeTest, opts, func(r dht.Result) {
			if len(values) == 0 {
				close(first)
			}
			values = append(values, string(r.Data))
		}, func() { close(done) })
	})
	if err != nil {
		return DHTGetResponse{}, err
	}
	n.waitGet(ctx, first, done)
	n.loop.Call(func() {
		handle.Cancel()
		select {
		case <-done:
		default:
			close(done)
		}
	})
	return DHTGetResponse{Values: append([]string{}, values...)}, nil
}

func (n *Node) waitGet(ctx context.Context, first, done chan struct{}) {
	select {
	case <-first:
		select {
		case <-time.After(collectWindow):
		case <-done:
		case <-ctx.Done():
		}
	case <-done:
	case <-ctx.Done():
	}
}

func (n *Node) handleDHTStats(context.Context, Empty) (DHTStats, error) {
	var st dht.Stats
	err := n.call(func() { st = n.dht.Stats() })
	return DHTStats{
		TableSize: st.TableSize, Neighbours: st.Neighbours, NetworkSizeEstimate: st.EstimatedSize,
		StoredBlocks: st.StoredBlocks, StoredBytes: st.StoredBytes, PendingGets: st.PendingGets,
		MessagesIn: st.MessagesIn, MessagesOut: st.MessagesOut, Dropped: st.Dropped,
	}, err
}
