package gns

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/hush-overlay/hush/gns/zone"
)

func testZone(t testing.TB) zone.PublicKey {
	t.Helper()
	k, err := zone.GenerateEDKEY(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public()
}

func TestParseNameSuffixes(t *testing.T) {
	def, friends := testZone(t), testZone(t)
	m, err := NewSuffixMap(def, map[string]string{"friends.gnu": friends.String()})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		zone   zone.PublicKey
		labels string
	}{
		{"www.example.gnu", def, "www.example"},
		{"WWW.Example.GNU.", def, "www.example"},
		{"gnu", def, ""},
		{"bob.friends.gnu", friends, "bob"},
		{"www." + friends.String(), friends, "www"},
		{"www." + strings.ToLower(friends.String()), friends, "www"},
	}
	for _, c := range cases {
		n, err := m.ParseName(c.name)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !n.Zone.Equal(c.zone) || strings.Join(n.Labels, ".") != c.labels {
			t.Errorf("%s: zone %s labels %q, expected %s %q", c.name, n.Zone, n.Labels, c.zone, c.labels)
		}
	}
}

func TestParseNameNotGNS(t *testing.T) {
	m, _ := NewSuffixMap(testZone(t), nil)
	for _, name := range []string{"www.example.org", "gnu.org"} {
		if _, err := m.ParseName(name); !errors.Is(err, ErrNotGNS) {
			t.Errorf("%s: %v, expected ErrNotGNS", name, err)
		}
	}
}

func TestParseNameInvalid(t *testing.T) {
	m, _ := NewSuffixMap(testZone(t), nil)
	for _, name := range []string{"", ".", "a..gnu", strings.Repeat("a", 64) + ".gnu", "\xff.gnu", strings.Repeat("a.", 130) + "gnu"} {
		if _, err := m.ParseName(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%q: %v, expected ErrInvalidName", name, err)
		}
	}
}

func FuzzParseName(f *testing.F) {
	def := testZone(f)
	m, _ := NewSuffixMap(def, nil)
	for _, s := range []string{"www.gnu", "a.b.c.gnu.", "_443._tcp.www." + def.String(), "ÄÖ.gnu", "", "..", "\x00.gnu"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := m.ParseName(s)
		if err != nil {
			return
		}
		again, err := m.ParseName(n.String())
		if err != nil {
			t.Fatalf("reparse of %q (from %q): %v", n.String(), s, err)
		}
		if again.String() != n.String() || !again.Zone.Equal(n.Zone) {
			t.Fatalf("reparse of %q gave %q", n.String(), again.String())
		}
	})
}

func TestIdentitiesSuffixMap(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	empty, err := ids.SuffixMap(nil)
	if err != nil || len(empty.Suffixes()) != 0 {
		t.Fatalf("suffix map without identities: %v, %v", empty.Suffixes(), err)
	}
	me, _ := ids.Create("me", zone.TypeEDKEY, rand.Reader)
	work, _ := ids.Create("work", zone.TypeEDKEY, rand.Reader)
	friend := testZone(t)
	m, err := ids.SuffixMap(map[string]string{"work.gnu": "work", ".friend": friend.String()})
	if err != nil {
		t.Fatal(err)
	}
	for suffix, want := range map[string]zone.PublicKey{"gnu": me.Zone(), "work.gnu": work.Zone(), "friend": friend} {
		if got, ok := m.Lookup(suffix); !ok || !got.Equal(want) {
			t.Errorf("suffix %s bound to %v, expected %v", suffix, got, want)
		}
	}
	if _, err := ids.SuffixMap(map[string]string{"x": "nobody"}); err == nil {
		t.Error("suffix bound to an unknown identity was accepted")
	}
}
