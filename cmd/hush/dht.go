package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/node"
)

func newDHTCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "dht", Short: "Store and look up values in the R5N DHT"}
	cmd.AddCommand(newDHTPutCommand(g), newDHTGetCommand(g), newDHTStatsCommand(g))
	return cmd
}

func newDHTPutCommand(g *globalFlags) *cobra.Command {
	var expire time.Duration
	var replication int
	cmd := &cobra.Command{
		Use:   "put KEY VALUE",
		Short: "Store VALUE under KEY (a TEST block keyed by the SHA-512 of KEY)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if expire < time.Second {
				return fmt.Errorf("invalid --expire %v: must be at least 1s", expire)
			}
			req := node.DHTPutRequest{Key: args[0], Value: args[1], ExpireSecs: int64(expire / time.Second), Replication: replication}
			return g.call(cmd.Context(), http.MethodPost, "/v1/dht/put", req, nil)
		},
	}
	cmd.Flags().DurationVar(&expire, "expire", time.Hour, "how long the value lives")
	cmd.Flags().IntVar(&replication, "replication", 0, "number of peers to store the value on (default: the DHT's replication level)")
	return cmd
}

func newDHTGetCommand(g *globalFlags) *cobra.Command {
	var timeout time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "get KEY",
		Short: "Look up the values under KEY; exit code 1 when none is found before the timeout",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
			defer cancel()
			var resp node.DHTGetResponse
			req := node.DHTGetRequest{Key: args[0], TimeoutSecs: timeout.Seconds()}
			if err := g.call(ctx, http.MethodPost, "/v1/dht/get", req, &resp); err != nil {
				return err
			}
			if asJSON {
				writeJSON(cmd.OutOrStdout(), resp.Values)
			} else {
				for _, v := range resp.Values {
					fmt.Fprintln(cmd.OutOrStdout(), v)
				}
			}
			if len(resp.Values) == 0 {
				return &exitError{code: 1, err: fmt.Errorf("no value found under %q within %v", args[0], timeout)}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for a value")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON list of values")
	return cmd
}

func newDHTStatsCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show routing table size, network size estimate, stored blocks and messages routed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var st node.DHTStats
			if err := g.call(cmd.Context(), http.MethodGet, "/v1/dht/stats", nil, &st); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "routing table:   %d peers (%d neighbours)\n", st.TableSize, st.Neighbours)
			fmt.Fprintf(out, "size estimate:   %.0f peers\n", st.NetworkSizeEstimate)
			fmt.Fprintf(out, "stored blocks:   %d (%d bytes)\n", st.StoredBlocks, st.StoredBytes)
			fmt.Fprintf(out, "pending gets:    %d\n", st.PendingGets)
			fmt.Fprintf(out, "dropped:         %d\n", st.Dropped)
			for _, name := range sortedKeys(st.MessagesIn, st.MessagesOut) {
				fmt.Fprintf(out, "messages %-7s in %d, out %d\n", name+":", st.MessagesIn[name], st.MessagesOut[name])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func sortedKeys(maps ...map[string]uint64) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
