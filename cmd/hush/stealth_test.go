package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const page = "hello from alice's hidden web server\n"

// startLocal runs a long-lived hush command that prints its listen address
// on its first line, and returns that address.
func startLocal(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, hushBinary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("hush %v log:\n%s", args, stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("hush %v printed no address: %v; stderr: %s", args, err, stderr.String())
	}
	return strings.TrimSpace(line)
}

// curl fetches url with extra curl arguments and returns the body.
func curl(t *testing.T, args ...string) (string, error) {
	out, err := exec.Command("curl", append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
	return string(out), err
}

// exposedWeb sets up Alice (exposing a web server as web.alice), a relay,
// and Bob, who maps alice to her zone. Bob never links to Alice.
func exposedWeb(t *testing.T) (alice, relay, bob *daemon) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) }))
	t.Cleanup(web.Close)

	alice, relay, bob = lineABC(t)
	aliceZone := strings.TrimSpace(mustHush(t, "identity", "create", "--home", alice.home, "alice"))
	mustHush(t, "expose", "--home", alice.home, "web", "--to", strings.TrimPrefix(web.URL, "http://"), "--zone", "alice")
	mustHush(t, "identity", "create", "--home", bob.home, "bob")
	mustHush(t, "namestore", "add", "--home", bob.home, "--zone", "bob", "--label", "alice", "--type", "EDKEY", "--value", aliceZone, "--expire", "1d")
	return alice, relay, bob
}

func TestStealthServiceThroughSOCKSAndForward(t *testing.T) {
	alice, _, bob := exposedWeb(t)

	socks := startLocal(t, "socks", "--home", bob.home, "--listen", "127.0.0.1:0")
	var body string
	waitFor(t, 90*time.Second, "curl through hush socks", func() bool {
		var err error
		body, err = curl(t, "--socks5-hostname", socks, "http://web.alice.gnu/")
		return err == nil
	})
	if body != page {
		t.Fatalf("curl through socks returned %q", body)
	}

	forward := startLocal(t, "forward", "--home", bob.home, "--listen", "127.0.0.1:0", "web.alice.gnu")
	body, err := curl(t, "http://"+forward+"/")
	if err != nil || body != page {
		t.Fatalf("curl through forward: %q, %v", body, err)
	}
	if _, err := curl(t, "--socks5-hostname", socks, "http://example.com/"); err == nil {
		t.Fatal("the proxy reached a name outside GNS")
	}
	if alice.hasPeer(t, bob.id) {
		t.Fatal("Bob holds a direct link to Alice")
	}
}

func TestStealthPortProbeWithoutSecretIsRefused(t *testing.T) {
	alice, _, bob := exposedWeb(t)
	before := cadetStats(t, alice).Refused
	probe := startStream(t, strings.NewReader("GET / HTTP/1.0\r\n\r\n"), nil,
		"cadet", "connect", "--home", bob.home, alice.id, "web", "--timeout", "8s")
	if err := probe.wait(t, 90*time.Second); err == nil {
		t.Fatalf("probe without the secret got through: %q", probe.stdout.String())
	}
	if probe.stdout.String() != "" || !strings.Contains(probe.stderr.String(), "no answer") {
		t.Fatalf("probe: stdout %q, stderr %q; want nothing and a no-answer error", probe.stdout.String(), probe.stderr.String())
	}
	after := cadetStats(t, alice).Refused
	if after.BadToken+after.Malformed <= before.BadToken+before.Malformed {
		t.Fatalf("refused opens before %+v, after %+v: the probe was not counted", before, after)
	}
}

func TestRotatedSecretKeepsOldTokenDuringGrace(t *testing.T) {
	alice, _, bob := exposedWeb(t)
	oldSecret := stealthSecret(t, alice)
	out := mustHush(t, "expose", "--home", alice.home, "--rotate", "web")
	if !strings.Contains(out, "opens the port until") {
		t.Fatalf("rotate printed %q", out)
	}
	newSecret := stealthSecret(t, alice)
	if newSecret == oldSecret {
		t.Fatal("rotation kept the secret")
	}
	// A second rotation during the grace period would end the first
	// secret early, so it is refused.
	if _, stderr, code := runHush(t, "expose", "--home", alice.home, "--rotate", "web"); code == 0 || !strings.Contains(stderr, "stays valid until") {
		t.Fatalf("second rotation in the grace period: exit %d, stderr %q", code, stderr)
	}
	for _, secret := range []string{oldSecret, newSecret} {
		path := filepath.Join(t.TempDir(), "secret")
		os.WriteFile(path, []byte(secret+"\n"), 0o600)
		var got string
		waitFor(t, 90*time.Second, "a fetch with a secret from before or after the rotation", func() bool {
			probe := startStream(t, strings.NewReader("GET / HTTP/1.0\r\n\r\n"), nil,
				"cadet", "connect", "--home", bob.home, alice.id, "web", "--secret-file", path, "--timeout", "10s")
			probe.wait(t, 60*time.Second)
			got = probe.stdout.String()
			return strings.Contains(got, page)
		})
	}
	// The grace period's end is checked in virtual time by the cadet
	// package's TestStealthRotationGrace; here a removed service must stop
	// answering at once.
	mustHush(t, "expose", "--home", alice.home, "--remove", "web")
	path := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(path, []byte(newSecret+"\n"), 0o600)
	probe := startStream(t, strings.NewReader("GET / HTTP/1.0\r\n\r\n"), nil,
		"cadet", "connect", "--home", bob.home, alice.id, "web", "--secret-file", path, "--timeout", "8s")
	if err := probe.wait(t, 60*time.Second); err == nil || probe.stdout.String() != "" {
		t.Fatalf("a removed service still answers: %q", probe.stdout.String())
	}
}

// stealthSecret returns the secret of Alice's STEALTH record for web.
func stealthSecret(t *testing.T, alice *daemon) string {
	for _, line := range strings.Split(mustHush(t, "namestore", "export", "--home", alice.home, "--zone", "alice"), "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 && f[0] == "web" && f[1] == "STEALTH" {
			return f[len(f)-1]
		}
	}
	t.Fatal("no STEALTH record for web in alice's zone")
	return ""
}

func TestExposedServiceSurvivesRestarts(t *testing.T) {
	alice, relay, bob := exposedWeb(t)
	socks := startLocal(t, "socks", "--home", bob.home, "--listen", "127.0.0.1:0")
	fetch := func(what string) {
		t.Helper()
		waitFor(t, 90*time.Second, what, func() bool {
			body, err := curl(t, "--socks5-hostname", socks, "http://web.alice.gnu/")
			return err == nil && body == page
		})
	}
	fetch("the page before any restart")

	alice.stop(t)
	alice = startDaemon(t, alice.home, alice.id)
	if out := mustHush(t, "expose", "--home", alice.home, "--list", "--json"); !strings.Contains(out, `"name": "web"`) {
		t.Fatalf("expose --list after restart: %s", out)
	}
	mustHush(t, "connect", "--home", alice.home, relay.target(t))
	fetch("the page after Alice restarted")

	bob.stop(t)
	bob = startDaemon(t, bob.home, bob.id)
	mustHush(t, "connect", "--home", bob.home, relay.target(t))
	fetch("the page after Bob restarted")
}

func TestForwardCarriesEcho64MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB transfer skipped in -short mode")
	}
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	alice, _, bob := lineABCWith(t, bulkEdgeLimits, bulkMiddleLimits)
	mustHush(t, "identity", "create", "--home", alice.home, "alice")
	aliceZone := strings.TrimSpace(strings.Fields(mustHush(t, "identity", "list", "--home", alice.home))[2])
	mustHush(t, "expose", "--home", alice.home, "echo", "--to", echo.Addr().String())
	mustHush(t, "identity", "create", "--home", bob.home, "bob")
	mustHush(t, "namestore", "add", "--home", bob.home, "--zone", "bob", "--label", "alice", "--type", "EDKEY", "--value", aliceZone)
	forward := startLocal(t, "forward", "--home", bob.home, "--listen", "127.0.0.1:0", "echo.alice.gnu")

	data := make([]byte, 64<<20)
	rand.Read(data)
	var conn net.Conn
	waitFor(t, 90*time.Second, "the forward to reach the echo service", func() bool {
		c, err := net.Dial("tcp", forward)
		if err != nil {
			return false
		}
		c.Write([]byte("ping"))
		c.SetReadDeadline(time.Now().Add(15 * time.Second))
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil {
			c.Close()
			return false
		}
		conn = c
		return true
	})
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Minute))
	go func() { conn.Write(data) }()
	got := sha256.New()
	if _, err := io.CopyN(got, conn, int64(len(data))); err != nil {
		t.Fatalf("echo of 64 MiB: %v", err)
	}
	if want := sha256.Sum256(data); !bytes.Equal(got.Sum(nil), want[:]) {
		t.Fatal("the echoed data differs from what was sent")
	}
}
