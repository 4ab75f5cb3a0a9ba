package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// commandTimeout bounds every GNUnet command. GNUnet's tools wait for
// their service without a limit of their own.
const commandTimeout = 20 * time.Second

// maxSocketPath is the longest path a UNIX socket address holds on Linux
// (sun_path has 108 bytes, including the terminating zero byte).
const maxSocketPath = 107

// longestSocketName is the longest socket file name of GNUnet 0.19's
// services in the runtime directory.
const longestSocketName = "gnunet-service-scalarproduct-alice.sock"

// gnunetTools are the GNUnet programs the live test runs.
var gnunetTools = []string{"gnunet-arm", "gnunet-identity", "gnunet-namestore", "gnunet-gns"}

// peer is a GNUnet peer that runs inside its own network namespace, which
// has only a loopback interface, with a configuration that loads no
// transport plugin.
type peer struct {
	t      *testing.T
	netns  string
	home   string
	config string
}

// startPeer starts a GNUnet peer for t and stops it when t ends. It skips
// t when the host cannot run one: not Linux, not root, GNUnet's tools or
// `ip` missing, or network namespaces not available.
func startPeer(t *testing.T) *peer {
	t.Helper()
	checkHost(t)
	p := &peer{t: t, home: t.TempDir()}
	if socket := filepath.Join(p.home, "run", longestSocketName); len(socket) > maxSocketPath {
		t.Skipf("GNUnet interop test: socket path %s is longer than the %d bytes a UNIX socket address takes; set TMPDIR to a shorter directory", socket, maxSocketPath)
	}
	p.config = filepath.Join(p.home, "gnunet.conf")
	if err := os.WriteFile(p.config, []byte(peerConfig(p.home)), 0o600); err != nil {
		t.Fatal(err)
	}
	p.createNamespace()
	// gnunet-arm rejects -v together with -c, so this one call runs
	// without the configuration. It only prints the version.
	if out, err := p.host("ip", "netns", "exec", p.netns, "gnunet-arm", "-v"); err == nil {
		t.Logf("GNUnet: %s", strings.TrimSpace(out))
	}

	if out, err := p.run("gnunet-arm", "-s"); err != nil {
		t.Skipf("GNUnet's ARM did not start (environment problem, not a hush mismatch): %v\n%s", err, out)
	}
	t.Cleanup(p.stop)
	p.waitReady()
	return p
}

// checkHost skips t unless this host can run a GNUnet peer in a network
// namespace.
func checkHost(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("GNUnet interop test: network namespaces need Linux")
	}
	if os.Geteuid() != 0 {
		t.Skip("GNUnet interop test: creating a network namespace needs root")
	}
	for _, tool := range append([]string{"ip"}, gnunetTools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("GNUnet interop test: %s not found on PATH (install Debian's gnunet and iproute2 packages)", tool)
		}
	}
}

// createNamespace creates the peer's network namespace with only its
// loopback interface up, and deletes it when t ends.
func (p *peer) createNamespace() {
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		p.t.Fatal(err)
	}
	name := "hush-gnunet-" + hex.EncodeToString(suffix[:])
	if out, err := p.host("ip", "netns", "add", name); err != nil {
		p.t.Skipf("GNUnet interop test: cannot create network namespace %s (needs CAP_SYS_ADMIN and a writable /run/netns): %v\n%s", name, err, out)
	}
	p.netns = name
	p.t.Cleanup(p.deleteNamespace)
	if out, err := p.host("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"); err != nil {
		p.t.Skipf("GNUnet interop test: cannot bring up loopback in namespace %s: %v\n%s", name, err, out)
	}
}

// host runs a command outside the namespace, for namespace management.
func (p *peer) host(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// run runs a GNUnet tool with the peer's configuration inside the peer's
// namespace and returns its standard output. GNUnet's tools often exit 0
// after a failure, so callers check the output as well.
func (p *peer) run(tool string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	argv := append([]string{"netns", "exec", p.netns, tool, "-c", p.config}, args...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	cmd.Env = p.environment()
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %s: timed out after %v", tool, strings.Join(args, " "), commandTimeout)
	} else if err != nil {
		err = fmt.Errorf("%s %s: %w: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), err
}

// mustRun is run that fails t on an error.
func (p *peer) mustRun(tool string, args ...string) string {
	p.t.Helper()
	out, err := p.run(tool, args...)
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

// environment keeps GNUnet away from the user's configuration and makes
// it read and print times in UTC.
func (p *peer) environment() []string {
	env := []string{"TZ=UTC", "HOME=" + p.home, "GNUNET_HOME=" + p.home}
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		env = append(env, v+"="+filepath.Join(p.home, "xdg"))
	}
	return append(env, "PATH="+os.Getenv("PATH"))
}

// waitReady waits until the identity service responds.
func (p *peer) waitReady() {
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := p.run("gnunet-identity", "-d")
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.t.Skipf("GNUnet interop test: the identity service did not answer within 30 s (GNUnet failed to start; see %s): %v", filepath.Join(p.home, "log"), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop requests ARM to stop all services.
func (p *peer) stop() {
	if out, err := p.run("gnunet-arm", "-e"); err != nil {
		p.t.Logf("stopping GNUnet: %v\n%s", err, out)
	}
}

// deleteNamespace kills what still runs in the namespace, all of it
// started by this test, waits until those processes are gone, so that
// none writes into the temporary directory while it is removed, and
// deletes the namespace.
func (p *peer) deleteNamespace() {
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids := p.namespacePIDs()
		if len(pids) == 0 || time.Now().After(deadline) {
			break
		}
		for _, pid := range pids {
			p.t.Logf("killing leftover process %d in namespace %s", pid, p.netns)
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
				p.t.Logf("killing process %d: %v", pid, err)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := p.host("ip", "netns", "del", p.netns); err != nil {
		p.t.Errorf("deleting network namespace %s: %v\n%s", p.netns, err, out)
	}
}

// namespacePIDs returns the processes that run in the peer's namespace.
func (p *peer) namespacePIDs() []int {
	out, err := p.host("ip", "netns", "pids", p.netns)
	if err != nil {
		p.t.Logf("listing processes in namespace %s: %v", p.netns, err)
		return nil
	}
	var pids []int
	for _, field := range strings.Fields(out) {
		if pid, err := strconv.Atoi(field); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
