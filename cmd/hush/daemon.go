package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/config"
	"github.com/hush-overlay/hush/node"
)

func newDaemonCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "daemon",
		Short: "Run the peer in the foreground until SIGINT or SIGTERM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := g.resolveHome()
			if err != nil {
				return err
			}
			cfg, err := config.Load(home.Config())
			if err != nil {
				return err
			}
			level, _ := config.ParseLevel(cfg.LogLevel)
			log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			n, err := node.Open(home, cfg, log)
			if err != nil {
				return fmt.Errorf("cannot start daemon on %s: %w", home, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return n.Run(ctx)
		},
	}
}
