package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/gns/dnsbridge"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/resolver"
	"github.com/hush-overlay/hush/node"
)

func newDNSCommand(g *globalFlags) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "dns",
		Short: "Serve GNS names to DNS clients (A, AAAA, TXT, MX, SRV); other names are refused",
		Long: "dns runs a DNS server in the foreground that resolves GNS names through the daemon,\n" +
			"so that `dig @127.0.0.1 -p 5353 www.alice.gnu` and stub resolvers work.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := g.client()
			if err != nil {
				return err
			}
			// Fail early when no daemon runs.
			if err := client.Call(cmd.Context(), "GET", "/v1/status", nil, &node.Status{}); err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("subsystem", "dns")
			lookup := func(ctx context.Context, name string, typ record.Type) (resolver.Result, error) {
				return lookupViaDaemon(ctx, g, name, typ)
			}
			srv, err := dnsbridge.Listen(dnsbridge.Config{Addr: listen, Resolve: dnsbridge.FromResolver(lookup, time.Now), Log: log})
			if err != nil {
				return err
			}
			log.Info("DNS bridge started", "listen", srv.Addr())
			fmt.Fprintln(cmd.OutOrStdout(), srv.Addr())
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			log.Info("DNS bridge stopped")
			return srv.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:5353", "UDP and TCP address to answer on")
	return cmd
}

// lookupViaDaemon resolves a name through the daemon's control API.
func lookupViaDaemon(ctx context.Context, g *globalFlags, name string, typ record.Type) (resolver.Result, error) {
	req := node.LookupRequest{Name: strings.TrimSuffix(name, "."), Type: "ANY"}
	if typ != resolver.TypeAny {
		req.Type = typ.String()
	}
	if dl, ok := ctx.Deadline(); ok {
		req.TimeoutSecs = time.Until(dl).Seconds()
	}
	var res node.LookupResponse
	if err := g.call(ctx, "POST", "/v1/gns/lookup", req, &res); err != nil {
		return resolver.Result{}, err
	}
	out := resolver.Result{Code: res.Code, Name: res.Name}
	if res.Error != "" {
		out.Err = errors.New(res.Error)
	}
	for _, r := range res.Raw {
		out.Records = append(out.Records, record.Record{
			Type: record.Type(r.Type), Flags: record.Flags(r.Flags), Expiration: record.Expiration(r.Expiration), Data: r.Data,
		})
	}
	return out, nil
}
