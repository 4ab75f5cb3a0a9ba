package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestOpenReportsCorruptDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for i := 0; i < 8; i++ {
			b, err := tx.CreateBucketIfNotExists([]byte{byte('a' + i)})
			if err != nil {
				return err
			}
			for j := 0; j < 200; j++ {
				b.Put([]byte{byte(j)}, make([]byte, 100))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	f.WriteAt(garbage, 5*4096)
	f.Close()

	_, err = Open(path)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a damaged database: %v, want ErrCorrupt", err)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := Open(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
}
