// Package simulation runs many hush peers in one process on an in-memory
// network in virtual time (package memnet driven by one loop.Sim). It runs
// the production protocol code (CORE handshakes, keepalives and rekeys, and
// the DHT, GNS and CADET workloads) and reports what happened as a Report.
//
// A run depends only on its Config: the same seed gives the same graph, the
// same keys, the same event order and so the same Report, apart from the
// wall time and memory fields (see Report.DeterministicFields).
package simulation

import (
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Workload names the traffic a run generates on top of CORE's own.
type Workload string

// Workloads that Run accepts.
const (
	WorkloadNone  Workload = "none"
	WorkloadDHT   Workload = "dht"
	WorkloadGNS   Workload = "gns"
	WorkloadCADET Workload = "cadet"
)

// Workloads lists the valid workload names, for help text and validation.
var Workloads = []Workload{WorkloadNone, WorkloadDHT, WorkloadGNS, WorkloadCADET}

// MaliciousMode names how malicious peers misbehave.
type MaliciousMode string

// Malicious modes that Run accepts.
const (
	// MaliciousDrop peers take part in CORE but drop every workload message.
	MaliciousDrop MaliciousMode = "drop"
	// MaliciousInvalid peers reply to DHT GETs with invalid blocks.
	MaliciousInvalid MaliciousMode = "invalid"
)

// MaliciousModes lists the valid malicious modes.
var MaliciousModes = []MaliciousMode{MaliciousDrop, MaliciousInvalid}

// BytesPerSecond is a link's bandwidth in one direction.
type BytesPerSecond int64

// Defaults that Config.withDefaults fills in for zero fields.
const (
	DefaultPeers    = 100
	DefaultDegree   = 8
	DefaultLatency  = 20 * time.Millisecond
	DefaultDuration = 5 * time.Minute
	DefaultOps      = 100
)

// Config describes one simulation run. The zero value of each field means
// its default, except Seed, where zero is a valid seed.
type Config struct {
	Peers    int
	Topology Topology // default Random
	// Degree is the number of links per peer for the random, restricted and
	// small-world topologies.
	Degree int
	// Latency is the one-way delay of every link.
	Latency time.Duration
	// Loss is the probability in [0, 1) that a frame is lost.
	Loss float64
	// Bandwidth limits each link direction; zero means unlimited.
	Bandwidth BytesPerSecond
	// Duration is the virtual time the run lasts, including link set-up.
	Duration time.Duration
	Seed     uint64
	Workload Workload // default WorkloadNone
	// Ops is the number of workload operations: DHT PUTs (each followed by
	// GETs), GNS resolutions or CADET channels.
	Ops int
	// Malicious is the fraction of peers in [0, 1) that misbehave in the
	// way MaliciousMode sets (default MaliciousDrop).
	Malicious     float64
	MaliciousMode MaliciousMode
	// RekeyInterval overrides CORE's rekey interval (10 min by default), so
	// that shorter runs exercise rekeys too. Zero keeps CORE's default.
	RekeyInterval time.Duration
	// Churn is the fraction of peers that go offline per virtual minute.
	// Each offline peer comes back after an exponentially distributed
	// downtime with a mean of one minute.
	Churn float64
	// Compare runs the DHT workload a second time, in the same run and over
	// the same links, with plain greedy Kademlia routing. Other workloads
	// ignore it.
	Compare bool
	// Progress, when set, is called on the simulation goroutine about once
	// per virtual second with the run's progress.
	Progress func(Progress)
	// Log receives the peers' logs; nil discards them.
	Log *slog.Logger
}

// Progress is a snapshot passed to Config.Progress.
type Progress struct {
	Virtual  time.Duration // virtual time elapsed
	Duration time.Duration // virtual time the run lasts
	Wall     time.Duration
	LinksUp  int
	Events   uint64
}

func (c Config) withDefaults() Config {
	c.Peers = defaultInt(c.Peers, DefaultPeers)
	c.Degree = defaultInt(c.Degree, DefaultDegree)
	c.Ops = defaultInt(c.Ops, DefaultOps)
	if c.Topology == "" {
		c.Topology = Random
	}
	if c.Latency == 0 {
		c.Latency = DefaultLatency
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Workload == "" {
		c.Workload = WorkloadNone
	}
	if c.MaliciousMode == "" {
		c.MaliciousMode = MaliciousDrop
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

func defaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Validate checks a Config after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.Peers < 2:
		return fmt.Errorf("simulation: %d peers, at least 2 needed", c.Peers)
	case !slices.Contains(Topologies, c.Topology):
		return fmt.Errorf("simulation: unknown topology %q, expected one of %v", c.Topology, Topologies)
	case !slices.Contains(Workloads, c.Workload):
		return fmt.Errorf("simulation: unknown workload %q, expected one of %v", c.Workload, Workloads)
	case !slices.Contains(MaliciousModes, c.MaliciousMode):
		return fmt.Errorf("simulation: unknown malicious mode %q, expected one of %v", c.MaliciousMode, MaliciousModes)
	case c.Latency < 0 || c.Duration < 0 || c.Bandwidth < 0 || c.Ops < 0 || c.RekeyInterval < 0:
		return fmt.Errorf("simulation: latency, duration, bandwidth, ops and rekey interval must not be negative")
	case !fraction(c.Loss) || !fraction(c.Malicious):
		return fmt.Errorf("simulation: loss %v and malicious %v must be in [0, 1)", c.Loss, c.Malicious)
	case c.Churn < 0 || c.Churn > 1:
		return fmt.Errorf("simulation: churn %v must be in [0, 1] per virtual minute", c.Churn)
	}
	return nil
}

func fraction(f float64) bool { return f >= 0 && f < 1 }
