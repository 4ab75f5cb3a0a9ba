package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/node"
)

func newStatusCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the daemon's peer ID, listen addresses and link count",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var st node.Status
			if err := g.call(cmd.Context(), http.MethodGet, "/v1/status", nil, &st); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "peer ID: %s\n", st.PeerID)
			for _, a := range st.Listen {
				fmt.Fprintf(out, "listen:  %s\n", a)
			}
			fmt.Fprintf(out, "links:   %d\n", st.Links)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newPeersCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "peers",
		Short: "List the peers this daemon holds links to",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var peers []node.Peer
			if err := g.call(cmd.Context(), http.MethodGet, "/v1/peers", nil, &peers); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), peers)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PEER\tADDRESS\tDIRECTION\tAGE")
			for _, p := range peers {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%.0fs\n", p.PeerID, p.Address, p.Direction, p.AgeSeconds)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newConnectCommand(g *globalFlags) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "connect PEERID@tcp://HOST:PORT",
		Short: "Open a link to a peer and wait until it is up",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			peer, _, err := node.ParseTarget(args[0])
			if err != nil {
				return err
			}
			if err := g.call(cmd.Context(), http.MethodPost, "/v1/connect", node.ConnectRequest{Target: args[0]}, nil); err != nil {
				return err
			}
			return waitForLink(cmd, g, peer.String(), wait)
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 15*time.Second, "how long to wait for the link; 0 returns at once")
	return cmd
}

// waitForLink polls the daemon's links until peer appears or wait passes.
// A silent failure is what a peer that is down, or a wrong peer ID, looks
// like, so the error says where to look.
func waitForLink(cmd *cobra.Command, g *globalFlags, peer string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for wait > 0 {
		var peers []node.Peer
		if err := g.call(cmd.Context(), http.MethodGet, "/v1/peers", nil, &peers); err != nil {
			return err
		}
		for _, p := range peers {
			if p.PeerID == peer {
				fmt.Fprintf(cmd.OutOrStdout(), "linked to %s\n", peer)
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no link to %s after %v: check the address and that the peer runs; a wrong peer ID looks the same, because peers never answer a handshake meant for another key (the daemon's log has details)", peer[:8], wait)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil
}

func newPeerCommand(g *globalFlags) *cobra.Command {
	peer := &cobra.Command{Use: "peer", Short: "Show this home's peer identity"}
	peer.AddCommand(&cobra.Command{
		Use:   "id",
		Short: "Print the peer ID of the home's key (no daemon needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := g.resolveHome()
			if err != nil {
				return err
			}
			key, err := identity.LoadKeyFile(home.Key())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), key.PeerID())
			return nil
		},
	})
	return peer
}

// call sends one control request to the home's daemon.
func (g *globalFlags) call(ctx context.Context, method, path string, in, out any) error {
	c, err := g.client()
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return c.Call(ctx, method, path, in, out)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
