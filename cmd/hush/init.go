package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/config"
	"github.com/hush-overlay/hush/identity"
)

func newInitCommand(g *globalFlags) *cobra.Command {
	var listen []string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a peer home: a new key and hush.toml; prints the peer ID",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := g.resolveHome()
			if err != nil {
				return err
			}
			cfg := config.Default()
			if len(listen) > 0 {
				cfg.Listen = listen
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			id, err := initHome(home, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&listen, "listen", nil, "address to accept links on, e.g. tcp://127.0.0.1:0 (port 0: the kernel chooses); repeatable")
	return cmd
}

// initHome creates the home directory, key and configuration. It refuses to
// touch a home that already has a configuration or a key.
func initHome(home config.Home, cfg config.Config) (identity.PeerID, error) {
	if err := os.MkdirAll(home.String(), 0o700); err != nil {
		return identity.PeerID{}, fmt.Errorf("create home %s: %w", home, err)
	}
	if _, err := os.Stat(home.Config()); err == nil {
		return identity.PeerID{}, fmt.Errorf("%s already exists: this home is initialised (use another --home)", home.Config())
	} else if !errors.Is(err, fs.ErrNotExist) {
		return identity.PeerID{}, err
	}
	key, _, err := identity.LoadOrCreateKeyFile(home.Key())
	if err != nil {
		return identity.PeerID{}, err
	}
	if err := config.Write(home.Config(), cfg); err != nil {
		return identity.PeerID{}, err
	}
	return key.PeerID(), nil
}
