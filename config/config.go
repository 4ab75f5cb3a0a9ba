// Package config reads and writes hush.toml, a peer's configuration, and
// locates a peer's home directory.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/hush-overlay/hush/transport"
)

// FileName is the configuration file inside a home.
const FileName = "hush.toml"

// Config is the content of hush.toml.
type Config struct {
	// Listen holds the address URLs the daemon accepts CORE links on.
	Listen []string `toml:"listen"`
	// Bootstrap holds peers to keep linked to, as PEERID@tcp://HOST:PORT.
	Bootstrap []string `toml:"bootstrap"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `toml:"log_level"`
	Limits   Limits `toml:"limits"`
	GNS      GNS    `toml:"gns"`
}

// Limits bound what a daemon holds.
type Limits struct {
	// MaxLinks is the maximum number of CORE links.
	MaxLinks int `toml:"max_links"`
	// MaxPendingHandshakes caps unauthenticated inbound connections.
	MaxPendingHandshakes int `toml:"max_pending_handshakes"`
	// HandshakeTimeout is how long an inbound connection may take to
	// authenticate; failed ones are drained silently until then.
	HandshakeTimeout Duration `toml:"handshake_timeout"`
	// ClockSkew is the accepted difference between a dialler's timestamp
	// and ours.
	ClockSkew Duration `toml:"clock_skew"`
	// KeepaliveInterval is how often an idle link sends a keepalive.
	KeepaliveInterval Duration `toml:"keepalive_interval"`
	// DeadLinkTimeout is how long a link may stay silent before it is
	// dropped.
	DeadLinkTimeout Duration `toml:"dead_link_timeout"`
	// DatastoreQuota is the DHT datastore size limit in bytes.
	DatastoreQuota int64 `toml:"datastore_quota_bytes"`
}

// GNS holds name system settings.
type GNS struct {
	// Suffixes maps a name suffix (without dots, e.g. "alice") to a zone
	// given as a zTLD or the name of a local identity. The suffix "gnu"
	// always maps to the default identity unless set here.
	Suffixes map[string]string `toml:"suffixes"`
}

// Duration is a time.Duration written in TOML as a string such as "10s".
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q: use a number with a unit, e.g. 30s or 2m", b)
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// DefaultListen is the listen address of a new home.
const DefaultListen = "tcp://127.0.0.1:2086"

// Default returns the configuration of a new home.
func Default() Config {
	return Config{
		Listen:   []string{DefaultListen},
		LogLevel: "info",
		Limits: Limits{
			MaxLinks:             64,
			MaxPendingHandshakes: 256,
			HandshakeTimeout:     Duration{10 * time.Second},
			ClockSkew:            Duration{2 * time.Minute},
			KeepaliveInterval:    Duration{5 * time.Second},
			DeadLinkTimeout:      Duration{15 * time.Second},
			DatastoreQuota:       256 << 20,
		},
	}
}

// Load reads path over the defaults and validates the result.
func Load(path string) (Config, error) {
	cfg := Default()
	md, err := toml.DecodeFile(path, &cfg)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, fmt.Errorf("config: %s not found; run `hush init` first", path)
	}
	if err != nil {
		return cfg, fmt.Errorf("config: %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return cfg, fmt.Errorf("config: %s: unknown setting %q", path, undecoded[0].String())
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config: %s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks every value and names the first invalid one.
func (c Config) Validate() error {
	if len(c.Listen) == 0 {
		return errors.New("listen: at least one address is required, e.g. tcp://127.0.0.1:2086")
	}
	for _, a := range c.Listen {
		if scheme, _, err := transport.SplitAddress(a); err != nil || scheme != "tcp" {
			return fmt.Errorf("listen: invalid address %q: expected tcp://HOST:PORT", a)
		}
	}
	if _, err := ParseLevel(c.LogLevel); err != nil {
		return err
	}
	l := c.Limits
	switch {
	case l.MaxLinks < 1:
		return fmt.Errorf("limits.max_links: %d is invalid, must be at least 1", l.MaxLinks)
	case l.MaxPendingHandshakes < 1:
		return fmt.Errorf("limits.max_pending_handshakes: %d is invalid, must be at least 1", l.MaxPendingHandshakes)
	case l.HandshakeTimeout.Duration <= 0:
		return errors.New("limits.handshake_timeout: must be positive")
	case l.ClockSkew.Duration <= 0:
		return errors.New("limits.clock_skew: must be positive")
	case l.KeepaliveInterval.Duration <= 0 || l.DeadLinkTimeout.Duration <= l.KeepaliveInterval.Duration:
		return errors.New("limits.dead_link_timeout: must be longer than limits.keepalive_interval, and both positive")
	case l.DatastoreQuota < 1<<20:
		return fmt.Errorf("limits.datastore_quota_bytes: %d is too small, use at least 1048576", l.DatastoreQuota)
	}
	return nil
}

// Write saves c to path with mode 0600, failing if the file exists.
func Write(path string, c Config) error {
	var buf bytes.Buffer
	buf.WriteString("# hush peer configuration. See `hush --help` and docs/architecture.md.\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return fmt.Errorf("config: encode: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("config: write %s: %w", path, err)
	}
	return f.Close()
}

// ParseLevel parses a log level name.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("log_level: invalid value %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// DefaultHome returns $HUSH_HOME, else $XDG_DATA_HOME/hush, else
// ~/.local/share/hush.
func DefaultHome() (string, error) {
	if h := os.Getenv("HUSH_HOME"); h != "" {
		return h, nil
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "hush"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("config: no home directory found; set HUSH_HOME or pass --home DIR")
	}
	return filepath.Join(home, ".local", "share", "hush"), nil
}

// Home names the files inside a peer's home directory.
type Home string

func (h Home) Config() string   { return filepath.Join(string(h), FileName) }
func (h Home) Key() string      { return filepath.Join(string(h), "peer.key") }
func (h Home) Database() string { return filepath.Join(string(h), "hush.db") }
func (h Home) Socket() string   { return filepath.Join(string(h), "hush.sock") }
func (h Home) Zones() string    { return filepath.Join(string(h), "zones") }

// String returns the directory.
func (h Home) String() string { return string(h) }

// Describe returns a one-line summary for error messages.
func (h Home) Describe() string { return strings.TrimRight(string(h), "/") }
