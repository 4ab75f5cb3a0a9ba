package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hush-overlay/hush/simulation"
)

func newSimCommand(_ *globalFlags) *cobra.Command {
	var (
		cfg       simulation.Config
		topology  string
		workload  string
		malicious string
		jsonOut   bool
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Simulate a network of hush peers in virtual time and print a report",
		Long: "sim runs N peers of the real protocol code on an in-memory network in virtual time.\n" +
			"The same --seed gives the same report, apart from wall time and memory.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Peers < 2 {
				return fmt.Errorf("invalid --peers %d: a network needs at least 2 peers", cfg.Peers)
			}
			if !cmd.Flags().Changed("degree") && cfg.Degree > cfg.Peers-1 {
				cfg.Degree = cfg.Peers - 1 // the default degree, lowered for a small network
			}
			cfg.Topology = simulation.Topology(topology)
			cfg.Workload = simulation.Workload(workload)
			cfg.MaliciousMode = simulation.MaliciousMode(malicious)
			if err := cfg.Validate(); err != nil {
				return err
			}
			finish := attachProgress(&cfg, cmd.ErrOrStderr())
			report, err := simulation.Run(cfg)
			finish()
			if err != nil {
				return err
			}
			return printReport(cmd.OutOrStdout(), report, jsonOut)
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Peers, "peers", simulation.DefaultPeers, "number of peers")
	f.StringVar(&topology, "topology", string(simulation.Random), fmt.Sprintf("link topology: one of %v", simulation.Topologies))
	f.IntVar(&cfg.Degree, "degree", simulation.DefaultDegree, "links per peer (random, restricted and smallworld topologies)")
	f.DurationVar(&cfg.Latency, "latency", simulation.DefaultLatency, "one-way latency of every link")
	f.Float64Var(&cfg.Loss, "loss", 0, "probability in [0, 1) that a frame is lost")
	f.DurationVar(&cfg.Duration, "duration", 10*time.Minute, "virtual time the run lasts")
	f.DurationVar(&cfg.RekeyInterval, "rekey-interval", 5*time.Minute, "how often each link direction rekeys (daemons use 10 minutes; shorter here so that a default run rekeys)")
	f.Int64Var((*int64)(&cfg.Bandwidth), "bandwidth", 0, "bytes per second of each link direction; 0 means unlimited")
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed; the same seed gives the same report")
	f.StringVar(&workload, "workload", string(simulation.WorkloadNone), fmt.Sprintf("traffic to generate: one of %v", simulation.Workloads))
	f.IntVar(&cfg.Ops, "ops", simulation.DefaultOps, "workload operations (DHT puts, GNS resolutions, CADET channels)")
	f.Float64Var(&cfg.Malicious, "malicious", 0, "fraction of peers in [0, 1) that misbehave")
	f.StringVar(&malicious, "malicious-mode", string(simulation.MaliciousDrop), fmt.Sprintf("how malicious peers misbehave: one of %v", simulation.MaliciousModes))
	f.Float64Var(&cfg.Churn, "churn", 0, "fraction of peers leaving (and later rejoining) per virtual minute")
	f.BoolVar(&cfg.Compare, "compare", false, "also run the DHT workload with plain greedy Kademlia routing")
	f.BoolVar(&jsonOut, "json", false, "print the report as one JSON object")
	return cmd
}

// attachProgress shows a progress bar over virtual time when w is a
// terminal, and nothing when it is piped. It returns a function that
// clears the bar.
func attachProgress(cfg *simulation.Config, w io.Writer) func() {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	total := int64(cfg.Duration / time.Second)
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("virtual seconds"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
	cfg.Progress = func(p simulation.Progress) {
		bar.Set64(int64(p.Virtual / time.Second))
	}
	return func() { bar.Finish() }
}

func printReport(w io.Writer, r *simulation.Report, asJSON bool) error {
	if !asJSON {
		return r.WriteText(w)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
