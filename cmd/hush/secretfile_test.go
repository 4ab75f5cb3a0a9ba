package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadSecretFileRejects checks the secret files that must not open a
// port: an empty or blank file would otherwise mean "no secret", which
// makes a public port.
func TestReadSecretFileRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"empty":  write("empty", ""),
		"blank":  write("blank", " \n\n"),
		"short":  write("short", "abcd\n"),
		"huge":   write("huge", strings.Repeat("ab", 1<<20)),
		"fifo":   fifo,
		"folder": dir,
	}
	for name, path := range cases {
		if secret, err := readSecretFile(path); err == nil {
			t.Errorf("%s: accepted, secret %q", name, secret)
		}
	}
	good := write("good", strings.Repeat("ab", 32)+"\n")
	if secret, err := readSecretFile(good); err != nil || secret != strings.Repeat("ab", 32) {
		t.Errorf("valid file: secret %q, err %v", secret, err)
	}
}
