package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hush-overlay/hush/config"
	"github.com/hush-overlay/hush/node"
)

// hushBinary is built once by TestMain, so tests run real daemon processes.
var hushBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hush-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hushBinary = filepath.Join(dir, "hush")
	build := exec.Command("go", "build", "-race", "-o", hushBinary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hush:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runHush runs one CLI command and returns its stdout, stderr and exit code.
func runHush(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, hushBinary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("hush %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// mustHush runs a command that must succeed.
func mustHush(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, code := runHush(t, args...)
	if code != 0 {
		t.Fatalf("hush %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// daemon is a `hush daemon` process started by a test.
type daemon struct {
	home   string
	id     string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newHome initialises a home listening on a kernel-chosen loopback port.
// edit, when not nil, changes hush.toml, so tests can shorten timeouts.
func newHome(t testing.TB, edit func(*config.Config)) (string, string) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	id := strings.TrimSpace(mustHush(t, "init", "--home", home, "--listen", "tcp://127.0.0.1:0"))
	if edit != nil {
		path := config.Home(home).Config()
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		edit(&cfg)
		os.Remove(path)
		if err := config.Write(path, cfg); err != nil {
			t.Fatal(err)
		}
	}
	return home, id
}

// fastLimits makes dead links visible within seconds.
func fastLimits(c *config.Config) {
	c.Limits.KeepaliveInterval.Duration = 500 * time.Millisecond
	c.Limits.DeadLinkTimeout.Duration = 2 * time.Second
	c.Limits.HandshakeTimeout.Duration = 2 * time.Second
}

func startDaemon(t testing.TB, home, id string) *daemon {
	t.Helper()
	d := &daemon{home: home, id: id, stderr: &lockedBuffer{}, done: make(chan struct{})}
	d.cmd = exec.Command(hushBinary, "daemon", "--home", home)
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.stop(t)
		if t.Failed() {
			t.Logf("daemon %s log:\n%s", home, d.stderr.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, _, code := runHush(t, "status", "--home", home); code == 0 {
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("daemon exited during start: %s", d.stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("daemon did not answer within 20 s: %s", d.stderr.String())
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (d *daemon) stop(t testing.TB) {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		if code := d.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("daemon %s exited with %d after SIGTERM", d.home, code)
		}
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
		t.Errorf("daemon %s ignored SIGTERM for 15 s", d.home)
	}
}

func (d *daemon) status(t testing.TB) node.Status {
	var st node.Status
	if err := json.Unmarshal([]byte(mustHush(t, "status", "--home", d.home, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func (d *daemon) peers(t testing.TB) []node.Peer {
	var peers []node.Peer
	if err := json.Unmarshal([]byte(mustHush(t, "peers", "--home", d.home, "--json")), &peers); err != nil {
		t.Fatal(err)
	}
	return peers
}

func (d *daemon) hasPeer(t testing.TB, id string) bool {
	for _, p := range d.peers(t) {
		if p.PeerID == id {
			return true
		}
	}
	return false
}

// target returns PEERID@tcp://HOST:PORT for dialling d.
func (d *daemon) target(t testing.TB) string {
	return d.id + "@" + d.status(t).Listen[0]
}

func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTwoDaemonsLinkAndDropAfterStop(t *testing.T) {
	alice := newDaemon(t, fastLimits)
	bob := newDaemon(t, fastLimits)

	mustHush(t, "connect", "--home", bob.home, alice.target(t))
	waitFor(t, 10*time.Second, "both peers to list each other", func() bool {
		return alice.hasPeer(t, bob.id) && bob.hasPeer(t, alice.id)
	})
	if st := alice.status(t); st.Links != 1 || st.PeerID != alice.id {
		t.Fatalf("alice status = %+v, want 1 link and peer ID %s", st, alice.id)
	}

	bob.cmd.Process.Kill() // no close message: alice must notice the dead link
	<-bob.done
	waitFor(t, 10*time.Second, "alice to drop the dead link", func() bool { return !alice.hasPeer(t, bob.id) })
}

func TestRawProbeGetsNoByteAndLinksSurvive(t *testing.T) {
	alice := newDaemon(t, fastLimits)
	bob := newDaemon(t, fastLimits)
	mustHush(t, "connect", "--home", bob.home, alice.target(t))
	waitFor(t, 10*time.Second, "link up", func() bool { return alice.hasPeer(t, bob.id) })

	addr := strings.TrimPrefix(alice.status(t).Listen[0], "tcp://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	probe := make([]byte, 1024)
	rand.Read(probe)
	if _, err := conn.Write(probe); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(8 * time.Second))
	got, err := io.ReadAll(conn)
	if len(got) != 0 {
		t.Fatalf("probe received %d bytes: %x", len(got), got)
	}
	if err != nil {
		t.Fatalf("probe connection ended with %v, want a normal close (EOF)", err)
	}
	if !alice.hasPeer(t, bob.id) || !bob.hasPeer(t, alice.id) {
		t.Fatal("link dropped after the probe")
	}
}

func TestSecondDaemonOnSameHomeFails(t *testing.T) {
	home, id := newHome(t, nil)
	startDaemon(t, home, id)
	start := time.Now()
	_, errOut, code := runHush(t, "daemon", "--home", home)
	if code == 0 {
		t.Fatal("second daemon exited 0")
	}
	if !strings.Contains(errOut, "locked") {
		t.Fatalf("second daemon error does not say the home is locked: %s", errOut)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("second daemon took %v to fail", time.Since(start))
	}
}

func TestDaemonRefusesReadableKey(t *testing.T) {
	home, _ := newHome(t, nil)
	if err := os.Chmod(filepath.Join(home, "peer.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runHush(t, "daemon", "--home", home)
	if code == 0 || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("daemon with a 0644 key: exit %d, stderr %q", code, errOut)
	}
}

func TestInitRefusesExistingHome(t *testing.T) {
	home, _ := newHome(t, nil)
	_, errOut, code := runHush(t, "init", "--home", home)
	if code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second init: exit %d, stderr %q", code, errOut)
	}
}

func TestPeerIDWithoutDaemon(t *testing.T) {
	home, id := newHome(t, nil)
	if got := strings.TrimSpace(mustHush(t, "peer", "id", "--home", home)); got != id {
		t.Fatalf("peer id = %s, init printed %s", got, id)
	}
}

func TestCommandsWithoutDaemonExplain(t *testing.T) {
	home, _ := newHome(t, nil)
	_, errOut, code := runHush(t, "status", "--home", home)
	if code == 0 || !strings.Contains(errOut, "hush daemon") {
		t.Fatalf("status without daemon: exit %d, stderr %q", code, errOut)
	}
}

// newDaemon initialises a home and starts a daemon on it.
func newDaemon(t testing.TB, edit func(*config.Config)) *daemon {
	t.Helper()
	home, id := newHome(t, edit)
	return startDaemon(t, home, id)
}

func TestGracefulStopDropsLinkAtOnce(t *testing.T) {
	alice := newDaemon(t, nil) // default limits: a dead link takes 15 s to notice
	bob := newDaemon(t, nil)
	mustHush(t, "connect", "--home", bob.home, alice.target(t))
	waitFor(t, 10*time.Second, "link up", func() bool { return alice.hasPeer(t, bob.id) })

	bob.stop(t) // SIGTERM: bob sends a close message before exiting
	waitFor(t, 3*time.Second, "alice to drop the closed link", func() bool { return !alice.hasPeer(t, bob.id) })
}
