package simulation

import (
	"encoding/json"
	"os"
	"testing"
)

// dumpReport writes r as indented JSON to the file that HUSH_SIM_REPORT
// names, so benchmark runs leave their full report behind.
func dumpReport(tb testing.TB, r *Report) {
	path := os.Getenv("HUSH_SIM_REPORT")
	if path == "" {
		return
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}
