package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/identity"
	"github.com/hush-overlay/hush/node"
)

func newCADETCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "cadet", Short: "Open end-to-end encrypted channels to ports on other peers"}
	cmd.AddCommand(newCADETListenCommand(g), newCADETConnectCommand(g), newCADETSecretCommand(),
		newCADETTunnelsCommand(g), newCADETStatsCommand(g))
	return cmd
}

func newCADETListenCommand(g *globalFlags) *cobra.Command {
	var secretFile string
	cmd := &cobra.Command{
		Use:   "listen PORT",
		Short: "Open PORT, accept one channel, write what arrives to stdout and send stdin back",
		Long: `Open PORT, accept one channel, write what arrives to stdout and send stdin
back. The port closes when that channel ends: listen exits once both sides
have finished sending. Killing listen before a channel arrives closes the
port too.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			secret, err := readSecretFile(secretFile)
			if err != nil {
				return err
			}
			req := node.ChannelRequest{Port: args[0], Secret: secret}
			return runStream(cmd, g, "/v1/cadet/listen", req, 10*time.Second)
		},
	}
	cmd.Flags().StringVar(&secretFile, "secret-file", "", "file with the port's secret (makes a stealth port); without it the port is public")
	return cmd
}

func newCADETConnectCommand(g *globalFlags) *cobra.Command {
	var secretFile string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "connect PEERID PORT",
		Short: "Open a channel to PORT on a peer, send stdin and print what comes back",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := identity.ParsePeerID(args[0]); err != nil {
				return err
			}
			if timeout <= 0 {
				return fmt.Errorf("invalid --timeout %v: must be positive", timeout)
			}
			secret, err := readSecretFile(secretFile)
			if err != nil {
				return err
			}
			req := node.ChannelRequest{Peer: args[0], Port: args[1], Secret: secret, TimeoutSecs: timeout.Seconds()}
			return runStream(cmd, g, "/v1/cadet/connect", req, timeout+10*time.Second)
		},
	}
	cmd.Flags().StringVar(&secretFile, "secret-file", "", "file with the port's secret, for a stealth port")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait for the port to answer")
	return cmd
}

// runStream opens a stream request and copies stdin to it and it to
// stdout until the remote side ends.
func runStream(cmd *cobra.Command, g *globalFlags, path string, req node.ChannelRequest, setup time.Duration) error {
	c, err := g.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), setup)
	stream, err := c.Stream(ctx, path, req)
	cancel()
	if err != nil {
		return err
	}
	defer stream.Close()
	sent := make(chan struct{})
	go func() {
		io.Copy(stream, cmd.InOrStdin())
		stream.CloseWrite()
		close(sent)
	}()
	_, err = io.Copy(cmd.OutOrStdout(), stream)
	// The remote side has finished sending. Piped input is still sent to
	// the end, but input from a terminal is not waited for.
	if !isTerminal(cmd.InOrStdin()) {
		<-sent
	}
	return err
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// readSecretFile loads a secret written by `hush cadet secret new`. Like
// the peer key, it must not be readable by group or others.
func readSecretFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("secret file %s is not a regular file", path)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("secret file %s has mode %04o: it must not be readable by group or others; run chmod 600 %s", path, info.Mode().Perm(), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// A secret file holds 64 hex digits and a newline; more is not a
	// secret file, and is not read whole.
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", err
	}
	secret := strings.TrimSpace(string(data))
	if len(data) > maxSecretFile || secret == "" {
		return "", fmt.Errorf("secret file %s: expected 64 hex digits (256 bits), found %d bytes; make one with `hush cadet secret new`", path, len(data))
	}
	if _, err := node.ParseSecret(secret); err != nil {
		return "", fmt.Errorf("secret file %s: %w", path, err)
	}
	return secret, nil
}

// maxSecretFile bounds what readSecretFile reads: a secret with room for
// surrounding whitespace.
const maxSecretFile = 256

func newCADETSecretCommand() *cobra.Command {
	secret := &cobra.Command{Use: "secret", Short: "Make stealth port secrets"}
	secret.AddCommand(&cobra.Command{
		Use:   "new",
		Short: "Print a new 256-bit secret; redirected to a file, the file gets mode 0600",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var s [32]byte
			if _, err := rand.Read(s[:]); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f, ok := out.(*os.File); ok {
				if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
					if err := f.Chmod(0o600); err != nil {
						return fmt.Errorf("cannot restrict the secret file to mode 0600: %w", err)
					}
				}
			}
			_, err := fmt.Fprintln(out, hex.EncodeToString(s[:]))
			return err
		},
	})
	return secret
}

func newCADETTunnelsCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tunnels",
		Short: "List tunnels with their state, paths and channels",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var tunnels []node.TunnelView
			if err := g.call(cmd.Context(), http.MethodGet, "/v1/cadet/tunnels", nil, &tunnels); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), tunnels)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PEER\tSTATE\tCHANNELS\tPATHS")
			for _, t := range tunnels {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", t.Peer, t.State, t.Channels, len(t.Paths))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newCADETStatsCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show channel, byte and refused-open counters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var st cadet.Stats
			if err := g.call(cmd.Context(), http.MethodGet, "/v1/cadet/stats", nil, &st); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "tunnels %d, connections %d, relayed routes %d, channels %d\n", st.Tunnels, st.Connections, st.RelayedRoutes, st.Channels)
			fmt.Fprintf(out, "channels opened %d, opens accepted %d\n", st.ChannelsOpened, st.OpensAccepted)
			fmt.Fprintf(out, "bytes sent %d, received %d, retransmits %d\n", st.BytesSent, st.BytesReceived, st.Retransmits)
			r := st.Refused
			fmt.Fprintf(out, "refused opens: unknown port %d, bad token %d, stale %d, replay %d, malformed %d, over the channel limit %d\n",
				r.UnknownPort, r.BadToken, r.Stale, r.Replay, r.Malformed, r.Limit)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
