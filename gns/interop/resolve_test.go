package interop

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/record"
)

// lookupCase is one `gnunet-gns` lookup and the records it must return,
// as "TYPE VALUE" in hush's text form. "@EGO" in name stands for the
// ego's zTLD.
type lookupCase struct {
	name, typ string
	want      []string
}

var lookupCases = []lookupCase{
	{"www.@hushp", "ANY", []string{"A 192.0.2.10", "AAAA 2001:db8::10", "TXT hush interop test"}},
	{"mail.@hushp", "MX", []string{"MX 10,mx.example.org"}},
	{"sip.@hushp", "BOX", []string{"BOX 6 5060 33 0 0 5060 sip.example.org"}},
	// The shadow record stays hidden while the other A record is valid.
	{"www.@hushe", "A", []string{"A 192.0.2.20"}},
	{"www.sub.@hushp", "A", []string{"A 192.0.2.30"}},
	{"www.edz.@hushp", "A", []string{"A 192.0.2.20"}},
	{"www.back.@hushe", "AAAA", []string{"AAAA 2001:db8::10"}},
}

// checkResolution resolves names with gnunet-gns and compares the records
// GNUnet prints, read with hush's parsers, with the expected ones.
func checkResolution(t *testing.T, p *peer, zones map[string]liveZone) {
	for _, c := range lookupCases {
		name := expandEgos(c.name, zones)
		out := p.mustRun("gnunet-gns", "-u", name, "-t", c.typ, "-T", "5s")
		got, err := parseLookupOutput(out)
		if err != nil {
			t.Errorf("gnunet-gns -u %s -t %s: %v", c.name, c.typ, err)
			continue
		}
		want := make([]string, 0, len(c.want))
		for _, w := range c.want {
			typ, data, err := record.ParseTypedValue(w)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, typ.String()+" "+hex.EncodeToString(data))
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("gnunet-gns -u %s -t %s returned\n%s\nread by hush as %v, expected %v", c.name, c.typ, out, got, want)
		}
	}
}

func expandEgos(name string, zones map[string]liveZone) string {
	labels := strings.Split(name, ".")
	for i, l := range labels {
		if ego, ok := strings.CutPrefix(l, "@"); ok {
			labels[i] = zones[ego].priv.Public().String()
		}
	}
	return strings.Join(labels, ".")
}

// parseLookupOutput reads the "Got `TYPE' record: VALUE" lines of
// gnunet-gns with hush's value parsers and returns them sorted as
// "TYPE HEXDATA".
func parseLookupOutput(out string) ([]string, error) {
	var records []string
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "Got `")
		if !ok {
			continue
		}
		typName, value, ok := strings.Cut(rest, "' record: ")
		if !ok {
			return nil, fmt.Errorf("invalid line %q", line)
		}
		typ, err := record.TypeByName(typName)
		if err != nil {
			return nil, fmt.Errorf("line %q: %w", line, err)
		}
		data, err := record.ParseValue(typ, value)
		if err != nil {
			return nil, fmt.Errorf("hush cannot parse GNUnet's %s value %q: %w", typName, value, err)
		}
		records = append(records, typ.String()+" "+hex.EncodeToString(data))
	}
	slices.Sort(records)
	return records, nil
}

// lookupRuns is how many lookups measureLookup times.
const lookupRuns = 20

// measureLookup logs the median wall time of `gnunet-gns -u name -T 5s`
// for a record of a local zone, including process start and the switch
// into the network namespace.
func measureLookup(t *testing.T, p *peer, name string) {
	durations := make([]time.Duration, 0, lookupRuns)
	for range lookupRuns {
		start := time.Now()
		out, err := p.run("gnunet-gns", "-u", name, "-T", "5s")
		elapsed := time.Since(start)
		if err != nil || !strings.Contains(out, "192.0.2.10") {
			t.Errorf("gnunet-gns -u %s: %v\n%s", name, err, out)
			return
		}
		durations = append(durations, elapsed)
	}
	slices.Sort(durations)
	t.Logf("gnunet-gns -u %s -T 5s: median %v, min %v, max %v over %d runs (ip netns exec ... gnunet-gns -c CONFIG -u %s -T 5s)",
		name, durations[len(durations)/2], durations[0], durations[len(durations)-1], lookupRuns, name)
}
