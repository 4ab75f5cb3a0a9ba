package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// lineOfDaemons starts n daemons and links each to the next only.
func lineOfDaemons(t *testing.T, n int) []*daemon {
	t.Helper()
	line := make([]*daemon, n)
	for i := range line {
		line[i] = newDaemon(t, chainLimits)
	}
	for i := 1; i < n; i++ {
		mustHush(t, "connect", "--home", line[i].home, line[i-1].target(t))
		waitFor(t, 10*time.Second, "line link", func() bool { return line[i-1].hasPeer(t, line[i].id) })
	}
	return line
}

func TestGNSLookupThroughDelegation(t *testing.T) {
	line := lineOfDaemons(t, 3)
	alice, bob := line[0], line[2]

	aliceZone := strings.TrimSpace(mustHush(t, "identity", "create", "--home", alice.home, "alice"))
	mustHush(t, "namestore", "add", "--home", alice.home, "--zone", "alice", "--label", "www", "--type", "A", "--value", "192.0.2.1", "--expire", "1d")
	mustHush(t, "identity", "create", "--home", bob.home, "bob")
	mustHush(t, "namestore", "add", "--home", bob.home, "--zone", "bob", "--label", "alice", "--type", "EDKEY", "--value", aliceZone, "--expire", "1d")

	var out string
	waitFor(t, 30*time.Second, "bob to resolve www.alice.gnu", func() bool {
		var code int
		out, _, code = runHush(t, "gns", "lookup", "--home", bob.home, "www.alice.gnu", "--type", "A", "--timeout", "5s")
		return code == 0
	})
	if strings.TrimSpace(out) != "192.0.2.1" {
		t.Fatalf("gns lookup printed %q, want 192.0.2.1", out)
	}

	if _, err := exec.LookPath("dig"); err != nil {
		t.Skip("dig is not installed; the DNS bridge is tested with a Go client in gns/dnsbridge")
	}
	addr := startDNSBridge(t, bob.home)
	host, port, _ := strings.Cut(addr, ":")
	dig, err := exec.Command("dig", "@"+host, "-p", port, "+short", "+time=5", "+tries=1", "www.alice.gnu", "A").Output()
	if err != nil || strings.TrimSpace(string(dig)) != "192.0.2.1" {
		t.Fatalf("dig through hush dns: %q, %v", dig, err)
	}
	refused, _ := exec.Command("dig", "@"+host, "-p", port, "+time=5", "+tries=1", "example.com", "A").Output()
	if !strings.Contains(string(refused), "REFUSED") {
		t.Fatalf("dig of a DNS name was not refused:\n%s", refused)
	}
}

func TestGNSLookupExitCodes(t *testing.T) {
	d := newDaemon(t, nil)
	mustHush(t, "identity", "create", "--home", d.home, "me")
	mustHush(t, "namestore", "add", "--home", d.home, "--zone", "me", "--label", "www", "--type", "TXT", "--value", "hello", "--expire", "1h")

	cases := []struct {
		name string
		code int
	}{
		{"www.gnu", exitFound},
		{"nothing.gnu", exitNotFound},
		{"www.example.com", exitNotGNS},
	}
	for _, c := range cases {
		_, errOut, code := runHush(t, "gns", "lookup", "--home", d.home, c.name, "--timeout", "2s")
		if code != c.code {
			t.Errorf("lookup %s: exit %d, want %d (%s)", c.name, code, c.code, errOut)
		}
	}
	var res struct {
		Code    string `json:"code"`
		Records []struct {
			Type, Value string
		} `json:"records"`
	}
	if err := json.Unmarshal([]byte(mustHush(t, "gns", "lookup", "--home", d.home, "www.gnu", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Code != "found" || len(res.Records) != 1 || res.Records[0].Value != "hello" {
		t.Fatalf("lookup --json = %+v", res)
	}
}

func TestNamestoreRejectsBadValueNamingField(t *testing.T) {
	d := newDaemon(t, nil)
	mustHush(t, "identity", "create", "--home", d.home, "me")
	_, errOut, code := runHush(t, "namestore", "add", "--home", d.home, "--zone", "me", "--label", "www", "--type", "A", "--value", "300.1.2.3")
	if code == 0 || !strings.Contains(errOut, "value") {
		t.Fatalf("bad A value: exit %d, stderr %q", code, errOut)
	}
	out := mustHush(t, "namestore", "list", "--home", d.home, "--zone", "me", "--json")
	if strings.TrimSpace(out) != "[]" {
		t.Fatalf("zone after a rejected add: %s", out)
	}
}

func TestIdentityListAndDefault(t *testing.T) {
	d := newDaemon(t, nil)
	mustHush(t, "identity", "create", "--home", d.home, "first")
	mustHush(t, "identity", "create", "--home", d.home, "second", "--pkey")
	var ids []struct {
		Name    string `json:"name"`
		ZTLD    string `json:"ztld"`
		Default bool   `json:"default"`
	}
	list := func() {
		if err := json.Unmarshal([]byte(mustHush(t, "identity", "list", "--home", d.home, "--json")), &ids); err != nil {
			t.Fatal(err)
		}
	}
	list()
	if len(ids) != 2 || !ids[0].Default || ids[1].Default || ids[0].ZTLD == "" {
		t.Fatalf("identities = %+v; want first as the default", ids)
	}
	mustHush(t, "identity", "default", "--home", d.home, "second")
	list()
	if ids[0].Default || !ids[1].Default {
		t.Fatalf("after default second: %+v", ids)
	}
	mustHush(t, "identity", "delete", "--home", d.home, "first")
	list()
	if len(ids) != 1 || ids[0].Name != "second" {
		t.Fatalf("after delete: %+v", ids)
	}
}

// startDNSBridge runs `hush dns` on a free port and returns its address.
func startDNSBridge(t *testing.T, home string) string {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, hushBinary, "dns", "--home", home, "--listen", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("hush dns printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}
