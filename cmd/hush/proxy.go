package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/resolver"
	"github.com/hush-overlay/hush/node"
	"github.com/hush-overlay/hush/stealth"
)

// daemonServices resolves service names and opens channels through the
// daemon's control API, so a forward or proxy process holds no keys.
type daemonServices struct{ g *globalFlags }

// ResolveService looks for a STEALTH record, then a VPN record, under name.
func (d daemonServices) ResolveService(ctx context.Context, name string) (stealth.Target, error) {
	res, err := lookupViaDaemon(ctx, d.g, name, resolver.TypeAny)
	if err != nil {
		return stealth.Target{}, err
	}
	switch res.Code {
	case resolver.NotGNS:
		return stealth.Target{}, fmt.Errorf("%w: %s", stealth.ErrNotGNS, name)
	case resolver.NotFound:
		return stealth.Target{}, fmt.Errorf("%w: %s", stealth.ErrNotFound, name)
	case resolver.Failed:
		return stealth.Target{}, fmt.Errorf("resolving %s failed: %v", name, res.Err)
	}
	return targetFromRecords(name, res.Records)
}

// targetFromRecords prefers a STEALTH record to a VPN record.
func targetFromRecords(name string, recs []record.Record) (stealth.Target, error) {
	var vpn *stealth.Target
	for _, r := range recs {
		switch r.Type {
		case record.TypeSTEALTH:
			s, err := record.ParseStealth(r.Data)
			if err != nil {
				continue
			}
			secret := s.Secret
			return stealth.Target{Peer: s.Peer, Port: s.Port, Secret: &secret, Expires: r.ExpiresAt(time.Now())}, nil
		case record.TypeVPN:
			if t, ok := vpnTarget(r); ok && vpn == nil {
				vpn = &t
			}
		}
	}
	if vpn != nil {
		return *vpn, nil
	}
	return stealth.Target{}, fmt.Errorf("%w: %s", stealth.ErrNotFound, name)
}

func vpnTarget(r record.Record) (stealth.Target, bool) {
	text, err := record.FormatValue(r.Type, r.Data)
	if err != nil {
		return stealth.Target{}, false
	}
	var proto int
	var peer, service string
	if _, err := fmt.Sscanf(text, "%d %s %s", &proto, &peer, &service); err != nil {
		return stealth.Target{}, false
	}
	t := stealth.Target{Port: service, Expires: r.ExpiresAt(time.Now())}
	if err := t.Peer.UnmarshalText([]byte(peer)); err != nil {
		return stealth.Target{}, false
	}
	return t, true
}

// DialService opens a channel through the daemon.
func (d daemonServices) DialService(ctx context.Context, t stealth.Target) (net.Conn, error) {
	c, err := d.g.client()
	if err != nil {
		return nil, err
	}
	req := node.ChannelRequest{Peer: t.Peer.String(), Port: t.Port}
	if t.Secret != nil {
		req.Secret = hex.EncodeToString(t.Secret[:])
	}
	if dl, ok := ctx.Deadline(); ok {
		req.TimeoutSecs = time.Until(dl).Seconds()
	}
	return c.Stream(ctx, "/v1/cadet/connect", req)
}

func newForwardCommand(g *globalFlags) *cobra.Command {
	var listen string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "forward --listen HOST:PORT NAME",
		Short: "Carry each local TCP connection to the stealth service NAME resolves to",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			log := proxyLogger("forward")
			fw := &stealth.Forwarder{Name: args[0], Resolver: daemonServices{g}, Dialer: daemonServices{g}, Log: log, DialTimeout: timeout}
			return serveLocal(cmd, g, listen, log, fw.Serve)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:2222", "local TCP address to accept connections on")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait for the service to answer")
	return cmd
}

func newSOCKSCommand(g *globalFlags) *cobra.Command {
	var listen string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "socks --listen HOST:PORT",
		Short: "Run a SOCKS5 proxy that reaches GNS names (STEALTH and VPN records) over CADET",
		Long: "socks accepts SOCKS5 CONNECT requests without authentication. It resolves GNS names itself,\n" +
			"so use socks5h:// or curl --socks5-hostname; other names and IP addresses are refused.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := proxyLogger("socks")
			srv := &stealth.SOCKSServer{Resolver: daemonServices{g}, Dialer: daemonServices{g}, Log: log, DialTimeout: timeout}
			return serveLocal(cmd, g, listen, log, srv.Serve)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:1080", "local TCP address of the proxy")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait for a service to answer")
	return cmd
}

func proxyLogger(subsystem string) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("subsystem", subsystem)
}

// serveLocal checks that a daemon runs, listens on addr, prints the bound
// address and serves until SIGINT or SIGTERM.
func serveLocal(cmd *cobra.Command, g *globalFlags, addr string, log *slog.Logger, serve func(context.Context, net.Listener) error) error {
	if err := g.call(cmd.Context(), "GET", "/v1/status", nil, &node.Status{}); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Info("listening", "addr", ln.Addr().String())
	fmt.Fprintln(cmd.OutOrStdout(), ln.Addr().String())
	err = serve(ctx, ln)
	log.Info("stopped")
	return err
}
