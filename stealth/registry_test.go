package stealth

import (
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"

	"github.com/hush-overlay/hush/store"
)

func TestRegistrySurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hush.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := OpenRegistry(db)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := NewSecret(rand.Reader)
	if err := reg.Put(Service{Name: "ssh", To: "127.0.0.1:22", Zone: "alice", Secret: secret}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Put(Service{Name: "web", To: "127.0.0.1:8080", Zone: "alice", Public: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, _ = OpenRegistry(db)
	list, err := reg.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %v, %v; want two services", list, err)
	}
	if list[0].Name != "ssh" || *list[0].Secret != *secret {
		t.Fatalf("ssh service came back as %+v", list[0])
	}
	if err := reg.Delete("ssh"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Get("ssh"); !errors.Is(err, ErrServiceNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

func TestCheckServiceRejectsBadValues(t *testing.T) {
	secret := &[SecretSize]byte{}
	cases := map[string]Service{
		"empty name":         {To: "127.0.0.1:22", Secret: secret},
		"dotted name":        {Name: "a.b", To: "127.0.0.1:22", Secret: secret},
		"missing port":       {Name: "ssh", To: "127.0.0.1", Secret: secret},
		"stealth, no secret": {Name: "ssh", To: "127.0.0.1:22"},
		"public with secret": {Name: "ssh", To: "127.0.0.1:22", Public: true, Secret: secret},
		"name over 63 bytes": {Name: string(make([]byte, 64)), To: "127.0.0.1:22", Secret: secret},
	}
	for name, s := range cases {
		if err := CheckService(s); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
