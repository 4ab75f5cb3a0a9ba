// Command hush is the hush overlay peer: the daemon, the CLI that talks to
// it, and the simulator. Run `hush --help` for the commands.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := newRootCommand()
	err := root.Execute()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, "hush:", ee.err)
		}
		os.Exit(ee.code)
	}
	fmt.Fprintln(os.Stderr, "hush:", err)
	os.Exit(2)
}

// globalFlags are the flags every command takes.
type globalFlags struct {
	home string
}

func newRootCommand() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "hush",
		Short:         "hush: a stealthy overlay network peer",
		Long:          "hush runs an overlay peer (daemon), talks to a running peer (CLI), and simulates whole networks in virtual time.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.home, "home", "", "peer home directory (default $HUSH_HOME, else $XDG_DATA_HOME/hush)")
	root.AddCommand(
		newInitCommand(g),
		newDaemonCommand(g),
		newStatusCommand(g),
		newPeersCommand(g),
		newConnectCommand(g),
		newPeerCommand(g),
		newSimCommand(g),
		newDHTCommand(g),
		newIdentityCommand(g),
		newNamestoreCommand(g),
		newGNSCommand(g),
		newDNSCommand(g),
		newCADETCommand(g),
		newExposeCommand(g),
		newForwardCommand(g),
		newSOCKSCommand(g),
	)
	return root
}
