package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/config"
)

// edgeLimits lets a peer hold one link, so the ends of a line can never
// link to each other directly.
func edgeLimits(c *config.Config) {
	fastLimits(c)
	c.Limits.MaxLinks = 1
}

// bulkEdgeLimits and bulkMiddleLimits keep the default dead-link timeout
// (15 s), so that a link saturated by a bulk transfer on a loaded machine
// running the race detector is not taken for dead.
func bulkEdgeLimits(c *config.Config)   { c.Limits.MaxLinks = 1 }
func bulkMiddleLimits(c *config.Config) { c.Limits.MaxLinks = 2 }

// lineABC starts A - B - C, where A and C can hold only one link each.
func lineABC(t *testing.T) (a, b, c *daemon) {
	t.Helper()
	return lineABCWith(t, edgeLimits, chainLimits)
}

func lineABCWith(t *testing.T, edge, middle func(*config.Config)) (a, b, c *daemon) {
	t.Helper()
	a = newDaemon(t, edge)
	b = newDaemon(t, middle)
	c = newDaemon(t, edge)
	mustHush(t, "connect", "--home", a.home, b.target(t))
	mustHush(t, "connect", "--home", c.home, b.target(t))
	waitFor(t, 10*time.Second, "line links", func() bool { return b.hasPeer(t, a.id) && b.hasPeer(t, c.id) })
	return a, b, c
}

func newSecretFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "secret")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(hushBinary, "cadet", "secret", "new")
	cmd.Stdout = f
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %04o, want 0600", info.Mode().Perm())
	}
	return path
}

// streamCmd is a running `hush cadet listen` or `connect`.
type streamCmd struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan error
}

func startStream(t *testing.T, stdin io.Reader, stdout io.Writer, args ...string) *streamCmd {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	s := &streamCmd{cmd: exec.CommandContext(ctx, hushBinary, args...), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	s.cmd.Stdin = stdin
	s.cmd.Stdout = stdout
	if stdout == nil {
		s.cmd.Stdout = s.stdout
	}
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait(); cancel() }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.done })
	return s
}

func (s *streamCmd) wait(t *testing.T, within time.Duration) error {
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(within):
		t.Fatalf("%v still running after %v; stderr: %s", s.cmd.Args, within, s.stderr.String())
		return nil
	}
}

func cadetStats(t *testing.T, d *daemon) cadet.Stats {
	var st cadet.Stats
	if err := json.Unmarshal([]byte(mustHush(t, "cadet", "stats", "--home", d.home, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCADETStealthChannelAcrossRelay(t *testing.T) {
	a, b, c := lineABC(t)
	secret := newSecretFile(t)

	// The listener writes its reply after reading the whole request.
	pr, pw := io.Pipe()
	listener := startStream(t, pr, nil, "cadet", "listen", "--home", c.home, "chat", "--secret-file", secret)
	time.Sleep(500 * time.Millisecond) // let the port open
	go func() { pw.Write([]byte("hello from C\n")); pw.Close() }()

	client := startStream(t, strings.NewReader("hello from A\n"), nil,
		"cadet", "connect", "--home", a.home, c.id, "chat", "--secret-file", secret, "--timeout", "30s")
	if err := client.wait(t, 60*time.Second); err != nil {
		t.Fatalf("connect: %v; stderr: %s", err, client.stderr.String())
	}
	if err := listener.wait(t, 30*time.Second); err != nil {
		t.Fatalf("listen: %v; stderr: %s", err, listener.stderr.String())
	}
	if got := client.stdout.String(); got != "hello from C\n" {
		t.Errorf("A received %q", got)
	}
	if got := listener.stdout.String(); got != "hello from A\n" {
		t.Errorf("C received %q", got)
	}
	if a.hasPeer(t, c.id) {
		t.Error("A holds a direct link to C")
	}
	_ = b
}

func TestCADETWrongSecretGetsNoAnswer(t *testing.T) {
	a, _, c := lineABC(t)
	right, wrong := newSecretFile(t), newSecretFile(t)
	listener := startStream(t, strings.NewReader(""), nil, "cadet", "listen", "--home", c.home, "chat", "--secret-file", right)
	time.Sleep(500 * time.Millisecond)

	client := startStream(t, strings.NewReader("knock knock\n"), nil,
		"cadet", "connect", "--home", a.home, c.id, "chat", "--secret-file", wrong, "--timeout", "8s")
	err := client.wait(t, 60*time.Second)
	if err == nil {
		t.Fatal("connect with a wrong secret succeeded")
	}
	if !strings.Contains(client.stderr.String(), "no answer") {
		t.Fatalf("connect error does not say no answer: %s", client.stderr.String())
	}
	if listener.stdout.String() != "" {
		t.Fatalf("listener received %q", listener.stdout.String())
	}
	refused := cadetStats(t, c).Refused
	if refused.BadToken == 0 {
		t.Fatalf("C counted no refused open: %+v", refused)
	}
}

func TestCADETBulkTransferArrivesIntact(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB transfer skipped in -short mode")
	}
	a, _, c := lineABCWith(t, bulkEdgeLimits, bulkMiddleLimits)
	secret := newSecretFile(t)
	data := make([]byte, 64<<20)
	rand.Read(data)
	want := sha256.Sum256(data)

	received := sha256.New()
	listener := startStream(t, strings.NewReader(""), received, "cadet", "listen", "--home", c.home, "bulk", "--secret-file", secret)
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	client := startStream(t, bytes.NewReader(data), nil, "cadet", "connect", "--home", a.home, c.id, "bulk", "--secret-file", secret)
	if err := listener.wait(t, 4*time.Minute); err != nil {
		t.Fatalf("listen: %v; stderr: %s", err, listener.stderr.String())
	}
	client.wait(t, 30*time.Second)
	t.Logf("64 MiB over one relay in %v", time.Since(start))
	if got := received.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatal("the transferred data differs from what was sent")
	}
}

// TestCADETKilledListenerClosesPort kills `hush cadet listen` before any
// channel arrives. The daemon must close the port, so that a new listen
// on it works instead of failing with "port already in use", and no later
// channel is accepted without a client to read it. A listen with its input
// at EOF (a half-close) must keep its port.
func TestCADETKilledListenerClosesPort(t *testing.T) {
	home, id := newHome(t, nil)
	d := startDaemon(t, home, id)
	secret := newSecretFile(t)

	first := startStream(t, strings.NewReader(""), nil, "cadet", "listen", "--home", d.home, "chat", "--secret-file", secret)
	time.Sleep(time.Second)
	first.cmd.Process.Kill()
	first.wait(t, 5*time.Second)

	var second *streamCmd
	waitFor(t, 5*time.Second, "the port to be free again", func() bool {
		second = startStream(t, strings.NewReader(""), nil, "cadet", "listen", "--home", d.home, "chat", "--secret-file", secret)
		select {
		case err := <-second.done:
			second.done <- err // for wait and the cleanup
			return false       // exited: the port is still taken
		case <-time.After(time.Second):
			return true
		}
	})
	select {
	case err := <-second.done:
		second.done <- err
		t.Fatalf("a listen whose input ended exited early: %s", second.stderr.String())
	default:
	}
}
