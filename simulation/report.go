package simulation

import (
	"encoding/json"
	"fmt"
	"github.com/hush-overlay/hush/cadet"
	"io"
	"strings"
)

// Report is the outcome of a run. Its JSON form is what `hush sim --json`
// prints. Every field except WallSeconds and MaxRSSBytes depends only on the
// Config.
type Report struct {
	Peers    int      `json:"peers"`
	Seed     uint64   `json:"seed"`
	Topology Topology `json:"topology"`
	// Degree is the graph's maximum degree: Config.Degree for the random
	// and restricted topologies.
	Degree    int       `json:"degree"`
	Workload  Workload  `json:"workload"`
	Malicious int       `json:"malicious_peers"`
	Links     LinkStats `json:"links"`
	// Handshakes counts CORE handshakes, including rekeys.
	Handshakes HandshakeStats `json:"handshakes"`
	// Messages and Bytes count frames and frame bytes that memnet carried.
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	// FramesLost counts frames that memnet dropped for loss, partitions or
	// offline peers.
	FramesLost     uint64  `json:"frames_lost"`
	Events         uint64  `json:"events"`
	ChurnEvents    int     `json:"churn_events"`
	VirtualSeconds float64 `json:"virtual_seconds"`
	WallSeconds    float64 `json:"wall_seconds"`
	MaxRSSBytes    uint64  `json:"max_rss_bytes"`

	DHT *DHTReport `json:"dht,omitempty"`
	// DHTGreedy is the DHT workload repeated with plain greedy Kademlia
	// routing, present when Config.Compare is set.
	DHTGreedy *DHTReport   `json:"dht_greedy,omitempty"`
	GNS       *GNSReport   `json:"gns,omitempty"`
	CADET     *CADETReport `json:"cadet,omitempty"`
}

// LinkStats compares the topology's links with the CORE links up at the end.
type LinkStats struct {
	Expected int `json:"expected"`
	Up       int `json:"up"`
}

// HandshakeStats counts CORE handshakes over all peers.
type HandshakeStats struct {
	Completed uint64 `json:"completed"`
	Failed    uint64 `json:"failed"`
	Rekeys    uint64 `json:"rekeys"`
}

// DHTReport summarises the DHT workload.
type DHTReport struct {
	Puts           int     `json:"puts"`
	Gets           int     `json:"gets"`
	GetSuccessRate float64 `json:"get_success_rate"`
	HopsP50        float64 `json:"hops_p50"`
	HopsP95        float64 `json:"hops_p95"`
	LatencyP50Ms   float64 `json:"latency_p50_ms"`
	LatencyP95Ms   float64 `json:"latency_p95_ms"`
	// MessagesPerGet is the GET and RESULT messages sent for workload keys
	// divided by the number of GETs.
	MessagesPerGet float64 `json:"messages_per_get"`
	// MessagesPerPut is the PUT messages sent for workload blocks divided
	// by the number of PUTs.
	MessagesPerPut         float64 `json:"messages_per_put"`
	NetworkSizeEstimateP50 float64 `json:"network_size_estimate_p50"`
	// MessagesDropped counts DHT messages that honest peers dropped as
	// malformed or invalid, forged blocks included.
	MessagesDropped uint64 `json:"messages_dropped"`
}

// GNSReport summarises the GNS workload.
type GNSReport struct {
	Resolutions  int     `json:"resolutions"`
	SuccessRate  float64 `json:"success_rate"`
	LatencyP50Ms float64 `json:"latency_p50_ms"`
	LatencyP95Ms float64 `json:"latency_p95_ms"`
}

// CADETReport summarises the CADET workload.
type CADETReport struct {
	Channels            int     `json:"channels"`
	OpenSuccessRate     float64 `json:"open_success_rate"`
	OpenLatencyP50Ms    float64 `json:"open_latency_p50_ms"`
	PathLengthP50       float64 `json:"path_length_p50"`
	GoodputP50BytesPerS float64 `json:"goodput_p50_bytes_per_s"`
	// Probes are stealth opens with a wrong, missing, stale or replayed
	// token, in turn. ProbeReplies counts those that opened a channel,
	// which must be none. ReplayedTokens counts the replay probes that
	// sent their replay: those whose first, valid open succeeded.
	Probes         int `json:"probes"`
	ProbeReplies   int `json:"probe_replies"`
	ReplayedTokens int `json:"replayed_tokens"`
	// Refused sums the opens that the responders dropped, by cause. Each
	// retransmission of an open counts again.
	Refused cadet.RefusedOpens `json:"refused"`
}

// DeterministicFields returns a copy of r without the fields that depend on
// the machine (wall time and memory), so that two runs with the same Config
// compare equal.
func (r Report) DeterministicFields() Report {
	r.WallSeconds = 0
	r.MaxRSSBytes = 0
	return r
}

// WriteJSON writes r as indented JSON followed by a newline.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText prints a human-readable summary of r.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "peers %d, topology %s (degree %d), seed %d, workload %s\n", r.Peers, r.Topology, r.Degree, r.Seed, r.Workload)
	fmt.Fprintf(&b, "links up %d of %d expected\n", r.Links.Up, r.Links.Expected)
	fmt.Fprintf(&b, "handshakes %d completed, %d failed, %d rekeys\n", r.Handshakes.Completed, r.Handshakes.Failed, r.Handshakes.Rekeys)
	fmt.Fprintf(&b, "frames %d (%s), %d lost, %d events\n", r.Messages, formatBytes(r.Bytes), r.FramesLost, r.Events)
	fmt.Fprintf(&b, "virtual %.1f s in %.2f s wall, max RSS %s\n", r.VirtualSeconds, r.WallSeconds, formatBytes(r.MaxRSSBytes))
	if r.DHT != nil {
		writeDHT(&b, "dht", r.DHT)
	}
	if r.DHTGreedy != nil {
		writeDHT(&b, "dht (greedy)", r.DHTGreedy)
	}
	if r.GNS != nil {
		fmt.Fprintf(&b, "gns: %d resolutions, success %.1f%%, latency p50 %.0f ms p95 %.0f ms\n",
			r.GNS.Resolutions, 100*r.GNS.SuccessRate, r.GNS.LatencyP50Ms, r.GNS.LatencyP95Ms)
	}
	if r.CADET != nil {
		writeCADET(&b, r.CADET)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeDHT(b *strings.Builder, name string, d *DHTReport) {
	fmt.Fprintf(b, "%s: %d puts, %d gets, success %.1f%%, hops p50 %.0f p95 %.0f, latency p50 %.0f ms p95 %.0f ms, %.1f messages per get, size estimate p50 %.0f\n",
		name, d.Puts, d.Gets, 100*d.GetSuccessRate, d.HopsP50, d.HopsP95, d.LatencyP50Ms, d.LatencyP95Ms, d.MessagesPerGet, d.NetworkSizeEstimateP50)
}

func writeCADET(b *strings.Builder, c *CADETReport) {
	fmt.Fprintf(b, "cadet: %d channels, open success %.1f%%, open latency p50 %.0f ms, path length p50 %.0f, goodput p50 %s/s\n",
		c.Channels, 100*c.OpenSuccessRate, c.OpenLatencyP50Ms, c.PathLengthP50, formatBytes(uint64(c.GoodputP50BytesPerS)))
	fmt.Fprintf(b, "cadet stealth: %d probe replies to %d probes (%d with a replayed token); refused opens: %d bad token, %d stale, %d replayed, %d unknown port, %d malformed, %d over the channel limit\n",
		c.ProbeReplies, c.Probes, c.ReplayedTokens, c.Refused.BadToken, c.Refused.Stale, c.Refused.Replay, c.Refused.UnknownPort, c.Refused.Malformed, c.Refused.Limit)
}

func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	value, prefix := float64(n), ""
	for _, p := range []string{"KiB", "MiB", "GiB", "TiB"} {
		value /= unit
		prefix = p
		if value < unit {
			break
		}
	}
	return fmt.Sprintf("%.1f %s", value, prefix)
}
