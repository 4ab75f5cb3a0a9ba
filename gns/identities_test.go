package gns

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hush-overlay/hush/gns/zone"
)

func TestIdentitiesFirstIsDefault(t *testing.T) {
	ids, err := OpenIdentities(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.Default(); !errors.Is(err, ErrNoIdentity) {
		t.Fatalf("Default on empty store: %v, expected ErrNoIdentity", err)
	}
	alice, err := ids.Create("alice", zone.TypeEDKEY, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !alice.Default {
		t.Error("first identity is not the default")
	}
	bob, err := ids.Create("bob", zone.TypePKEY, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if bob.Default {
		t.Error("second identity became the default")
	}
	if bob.Key.Type() != zone.TypePKEY {
		t.Errorf("bob has zone type %s, expected PKEY", bob.Key.Type())
	}
	def, err := ids.Default()
	if err != nil || def.Name != "alice" {
		t.Errorf("Default = %q, %v; expected alice", def.Name, err)
	}
}

func TestIdentitiesReloadSameKey(t *testing.T) {
	home := t.TempDir()
	ids, _ := OpenIdentities(home)
	created, err := ids.Create("alice", zone.TypeEDKEY, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	reopened, _ := OpenIdentities(home)
	got, err := reopened.Get("alice")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Zone().Equal(created.Zone()) {
		t.Errorf("reloaded zone %s, expected %s", got.Zone(), created.Zone())
	}
	info, err := os.Stat(filepath.Join(home, ZonesDir, "alice"+zoneKeyExt))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, expected 0600", info.Mode().Perm())
	}
}

func TestIdentitiesDuplicateName(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	if _, err := ids.Create("alice", zone.TypeEDKEY, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := ids.Create("alice", zone.TypeEDKEY, rand.Reader); !errors.Is(err, ErrIdentityExists) {
		t.Errorf("second create: %v, expected ErrIdentityExists", err)
	}
}

func TestIdentitiesInvalidNames(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	for _, name := range []string{"", "-x", "Alice", "a/b", "../x", "a.b"} {
		if _, err := ids.Create(name, zone.TypeEDKEY, rand.Reader); err == nil {
			t.Errorf("create %q succeeded, expected an error", name)
		}
	}
}

func TestIdentitiesDeleteMovesDefault(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	for _, n := range []string{"carol", "alice", "bob"} {
		if _, err := ids.Create(n, zone.TypeEDKEY, rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	if err := ids.SetDefault("bob"); err != nil {
		t.Fatal(err)
	}
	if err := ids.Delete("bob"); err != nil {
		t.Fatal(err)
	}
	def, err := ids.Default()
	if err != nil || def.Name != "alice" {
		t.Errorf("Default after delete = %q, %v; expected alice", def.Name, err)
	}
	list, _ := ids.List()
	if len(list) != 2 {
		t.Errorf("List has %d identities, expected 2", len(list))
	}
	if err := ids.Delete("bob"); !errors.Is(err, ErrIdentityNotFound) {
		t.Errorf("second delete: %v, expected ErrIdentityNotFound", err)
	}
}

func TestIdentitiesRejectOpenMode(t *testing.T) {
	home := t.TempDir()
	ids, _ := OpenIdentities(home)
	if _, err := ids.Create("alice", zone.TypeEDKEY, rand.Reader); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(home, ZonesDir, "alice"+zoneKeyExt), 0o644)
	if _, err := ids.Get("alice"); err == nil {
		t.Error("Get of a world-readable key succeeded, expected an error")
	}
}

func TestIdentitiesByZone(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	bob, _ := ids.Create("bob", zone.TypeEDKEY, rand.Reader)
	got, err := ids.ByZone(bob.Zone())
	if err != nil || got.Name != "bob" {
		t.Errorf("ByZone = %q, %v; expected bob", got.Name, err)
	}
}

func TestIdentitiesOwns(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	alice, _ := ids.Create("alice", zone.TypeEDKEY, rand.Reader)
	if !ids.Owns(alice.Zone()) {
		t.Error("Owns(alice) = false")
	}
	bob, _ := ids.Create("bob", zone.TypeEDKEY, rand.Reader)
	if !ids.Owns(bob.Zone()) {
		t.Error("Owns(bob) = false after create")
	}
	ids.Delete("alice")
	if ids.Owns(alice.Zone()) {
		t.Error("Owns(alice) = true after delete")
	}
}

func TestIdentitiesZoneKey(t *testing.T) {
	ids, _ := OpenIdentities(t.TempDir())
	alice, _ := ids.Create("alice", zone.TypePKEY, rand.Reader)
	key, err := ids.ZoneKey(alice.Zone())
	if err != nil || !key.Public().Equal(alice.Zone()) {
		t.Errorf("ZoneKey = %v, %v", key, err)
	}
	other, _ := zone.GenerateEDKEY(rand.Reader)
	if _, err := ids.ZoneKey(other.Public()); !errors.Is(err, ErrIdentityNotFound) {
		t.Errorf("ZoneKey of a foreign zone: %v", err)
	}
}
