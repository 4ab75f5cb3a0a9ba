package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/node"
)

// Exit codes of `hush gns lookup`.
const (
	exitFound    = 0
	exitNotFound = 1
	exitNotGNS   = 3
	exitFailed   = 4
)

func newIdentityCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "identity", Short: "Manage GNS zones (identities)"}
	var pkey bool
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a zone (EDKEY unless --pkey); the first one becomes the default zone",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var info gns.IdentityInfo
			if err := g.call(cmd.Context(), http.MethodPost, "/v1/identity/create", node.IdentityRequest{Name: args[0], PKEY: pkey}, &info); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), info.ZTLD)
			return nil
		},
	}
	create.Flags().BoolVar(&pkey, "pkey", false, "make a PKEY (ECDSA) zone instead of an EDKEY (EdDSA) zone")
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List zones with their zTLDs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ids []gns.IdentityInfo
			if err := g.call(cmd.Context(), http.MethodGet, "/v1/identity", nil, &ids); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), ids)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, id := range ids {
				mark := ""
				if id.Default {
					mark = "(default)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", id.Name, id.Type, id.ZTLD, mark)
			}
			return tw.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(create, list,
		identityAction(g, "delete", "Delete a zone and withdraw its published records", "/v1/identity/delete"),
		identityAction(g, "default", "Make a zone the default, which the .gnu suffix names", "/v1/identity/default"))
	return cmd
}

func identityAction(g *globalFlags, use, short, path string) *cobra.Command {
	return &cobra.Command{
		Use:   use + " NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.call(cmd.Context(), http.MethodPost, path, node.IdentityRequest{Name: args[0]}, nil)
		},
	}
}

func newNamestoreCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "namestore", Short: "Edit the records of your zones"}
	cmd.AddCommand(newNamestoreAddCommand(g), newNamestoreDeleteCommand(g), newNamestoreListCommand(g),
		newNamestoreImportCommand(g), newNamestoreExportCommand(g))
	return cmd
}

func recordFlags(cmd *cobra.Command, req *node.RecordRequest) {
	f := cmd.Flags()
	f.StringVar(&req.Zone, "zone", "", "name of the zone (identity)")
	f.StringVar(&req.Label, "label", "", "label inside the zone, or @ for the zone apex")
	f.StringVar(&req.Type, "type", "", "record type: A, AAAA, CNAME, MX, TXT, BOX, PKEY, EDKEY, NICK, LEHO, REDIRECT, GNS2DNS, VPN, STEALTH")
	f.StringVar(&req.Value, "value", "", "record value in gnunet-namestore's text form")
}

func newNamestoreAddCommand(g *globalFlags) *cobra.Command {
	var req node.RecordRequest
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a record to a zone; public records are published into the DHT",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.call(cmd.Context(), http.MethodPost, "/v1/namestore/add", req, nil)
		},
	}
	recordFlags(cmd, &req)
	f := cmd.Flags()
	f.StringVar(&req.Expire, "expire", "1d", "lifetime: relative (1d, 2h30m, never) or an RFC 3339 time")
	f.BoolVar(&req.Private, "private", false, "keep the record local: never publish it")
	f.BoolVar(&req.Shadow, "shadow", false, "use the record only once the non-shadow record of its type has expired")
	f.BoolVar(&req.Supplemental, "supplemental", false, "mark the record as supplemental")
	return cmd
}

func newNamestoreDeleteCommand(g *globalFlags) *cobra.Command {
	var req node.RecordRequest
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete records of a label (all, those of --type, or the one with --type and --value)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.call(cmd.Context(), http.MethodPost, "/v1/namestore/delete", req, nil)
		},
	}
	recordFlags(cmd, &req)
	return cmd
}

func newNamestoreListCommand(g *globalFlags) *cobra.Command {
	var req node.ZoneRequest
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the records of a zone",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var recs []gns.RecordInfo
			if err := g.call(cmd.Context(), http.MethodPost, "/v1/namestore/list", req, &recs); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), recs)
			}
			printRecords(cmd.OutOrStdout(), recs)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Zone, "zone", "", "name of the zone (identity)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printRecords(w io.Writer, recs []gns.RecordInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range recs {
		flags := strings.Join(r.Flags, ",")
		if flags == "" {
			flags = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Type, r.Expiration, flags, r.Value)
	}
	tw.Flush()
}

func newNamestoreImportCommand(g *globalFlags) *cobra.Command {
	var req node.ZoneRequest
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Add the records of a zone file (LABEL TYPE EXPIRATION FLAGS VALUE per line; - for stdin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			text, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			req.Text = text
			return g.call(cmd.Context(), http.MethodPost, "/v1/namestore/import", req, nil)
		},
	}
	cmd.Flags().StringVar(&req.Zone, "zone", "", "name of the zone (identity)")
	cmd.Flags().BoolVar(&req.Replace, "replace", false, "make the zone exactly the file's content")
	return cmd
}

func readInput(cmd *cobra.Command, name string) (string, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(cmd.InOrStdin())
	} else {
		data, err = os.ReadFile(name)
	}
	return string(data), err
}

func newNamestoreExportCommand(g *globalFlags) *cobra.Command {
	var req node.ZoneRequest
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print a zone as a zone file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var zt node.ZoneText
			if err := g.call(cmd.Context(), http.MethodPost, "/v1/namestore/export", req, &zt); err != nil {
				return err
			}
			_, err := io.WriteString(cmd.OutOrStdout(), zt.Text)
			return err
		},
	}
	cmd.Flags().StringVar(&req.Zone, "zone", "", "name of the zone (identity)")
	return cmd
}

func newGNSCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "gns", Short: "Resolve names in the GNU Name System"}
	var typ string
	var timeout time.Duration
	var asJSON bool
	lookup := &cobra.Command{
		Use:   "lookup NAME",
		Short: "Resolve a .gnu or zTLD name; exit 0 found, 1 not found, 3 not a GNS name, 4 error",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := lookupName(g, args[0], typ, timeout)
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			if asJSON {
				writeJSON(cmd.OutOrStdout(), res.ResultView)
			} else {
				for _, r := range res.Records {
					fmt.Fprintln(cmd.OutOrStdout(), r.Value)
				}
			}
			return lookupExit(res)
		},
	}
	lookup.Flags().StringVar(&typ, "type", "ANY", "record type to look up, or ANY")
	lookup.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for an answer")
	lookup.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.AddCommand(lookup)
	return cmd
}

func lookupName(g *globalFlags, name, typ string, timeout time.Duration) (node.LookupResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
	defer cancel()
	var res node.LookupResponse
	req := node.LookupRequest{Name: name, Type: typ, TimeoutSecs: timeout.Seconds()}
	err := g.call(ctx, http.MethodPost, "/v1/gns/lookup", req, &res)
	return res, err
}

// lookupExit maps a result to the command's exit code.
func lookupExit(res node.LookupResponse) error {
	switch res.Code.String() {
	case "found":
		if len(res.Records) > 0 {
			return nil
		}
		return &exitError{code: exitNotFound, err: fmt.Errorf("%s has no record of the requested type", res.Name)}
	case "not found":
		return &exitError{code: exitNotFound, err: fmt.Errorf("%s: not found", res.Name)}
	case "not a GNS name":
		return &exitError{code: exitNotGNS, err: fmt.Errorf("%s is not a GNS name: it ends in no configured suffix and no zTLD", res.Name)}
	}
	return &exitError{code: exitFailed, err: errors.New(res.Name + ": " + res.Error)}
}
