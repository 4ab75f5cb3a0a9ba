package main

import (
	"errors"
	"fmt"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/node"
)

func newExposeCommand(g *globalFlags) *cobra.Command {
	var (
		req            node.ExposeRequest
		secretFile     string
		list, asJSON   bool
		remove, rotate bool
	)
	cmd := &cobra.Command{
		Use:   "expose NAME --to HOST:PORT [--zone Z] [--public]",
		Short: "Hide a local TCP service behind a stealth port and publish its name",
		Long: "expose opens port NAME on this peer, forwards every accepted channel to --to, and\n" +
			"publishes a STEALTH record (peer, port, secret) under label NAME in zone --zone.\n" +
			"--public makes a port without a secret, published as a VPN record.\n" +
			"Exposed services survive a daemon restart.\n\n" +
			"  hush expose --list [--json]\n  hush expose --remove NAME\n  hush expose --rotate NAME",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				return listExposed(cmd, g, asJSON)
			}
			if len(args) != 1 {
				return errors.New("missing NAME: hush expose NAME --to HOST:PORT")
			}
			req.Name = args[0]
			switch {
			case remove:
				if err := g.call(cmd.Context(), http.MethodPost, "/v1/expose/remove", req, nil); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s; its record is withdrawn\n", req.Name)
				return nil
			case rotate:
				var view node.ServiceView
				if err := g.call(cmd.Context(), http.MethodPost, "/v1/expose/rotate", req, &view); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "rotated the secret of %s; the old secret opens the port until %s\n", view.Name, view.PreviousUntil.UTC().Format(time.RFC3339))
				return nil
			}
			if req.To == "" {
				return errors.New("missing --to HOST:PORT: the local service to forward channels to")
			}
			secret, err := readSecretFile(secretFile)
			if err != nil {
				return err
			}
			req.Secret = secret
			var view node.ServiceView
			if err := g.call(cmd.Context(), http.MethodPost, "/v1/expose", req, &view); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exposed %s -> %s as %s\n", view.Name, view.To, view.ZTLDName)
			fmt.Fprintf(cmd.OutOrStdout(), "peers that delegate a label to zone %s reach it as %s.LABEL.gnu\n", view.Zone, view.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.To, "to", "", "local TCP address of the service, e.g. 127.0.0.1:22")
	f.StringVar(&req.Zone, "zone", "", "zone (identity) that publishes the record (default: the default zone)")
	f.BoolVar(&req.Public, "public", false, "open a port without a secret and publish a VPN record")
	f.StringVar(&secretFile, "secret-file", "", "use this secret instead of a fresh one")
	f.StringVar(&req.Expire, "expire", node.DefaultServiceExpire, "relative lifetime of the published record, e.g. 15m or 1d; after the next --rotate the old secret works this long plus 2 minutes")
	f.BoolVar(&list, "list", false, "list exposed services")
	f.BoolVar(&asJSON, "json", false, "with --list, print JSON")
	f.BoolVar(&remove, "remove", false, "close the service's port and withdraw its record")
	f.BoolVar(&rotate, "rotate", false, "give the service a new secret and republish its record")
	cmd.MarkFlagsMutuallyExclusive("list", "remove", "rotate")
	return cmd
}

func listExposed(cmd *cobra.Command, g *globalFlags, asJSON bool) error {
	var services []node.ServiceView
	if err := g.call(cmd.Context(), http.MethodGet, "/v1/expose", nil, &services); err != nil {
		return err
	}
	if asJSON {
		return writeJSON(cmd.OutOrStdout(), services)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tZONE\tTO\tKIND")
	for _, s := range services {
		kind := "stealth"
		if s.Public {
			kind = "public"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Zone, s.To, kind)
	}
	return tw.Flush()
}
