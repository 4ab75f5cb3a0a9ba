package identity

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Base32GNS vectors from RFC 9498, section 9.5 and its test vectors.
func TestBase32RFC9498Vectors(t *testing.T) {
	cases := []struct{ hex, text string }{
		{"5940b32db88661c2", "B50B6BDRGSGW4"},
		{hex.EncodeToString([]byte("Hello World")), "91JPRV3F41BPYWKCCG"},
		{"d4", "TG"},
		{"78d3", "F39G"},
		{"43a45957", "8EJ5JNR"},
		{"f97f856d8d8d6591503a2f369f630145", "Z5ZRAVCDHNJS2M1T5WV9YRR18M"},
	}
	for _, c := range cases {
		raw, _ := hex.DecodeString(c.hex)
		if got := Base32Encode(raw); got != c.text {
			t.Errorf("encode %s = %s, want %s", c.hex, got, c.text)
		}
		back, err := Base32Decode(c.text)
		if err != nil || !bytes.Equal(back, raw) {
			t.Errorf("decode %s = %x, %v; want %s", c.text, back, err, c.hex)
		}
	}
}

func TestBase32DecodeAliasesAndRejects(t *testing.T) {
	got, err := Base32Decode("91JPRU3F4IBPYWKCCG")
	if err != nil || string(got) != "Hello World" {
		t.Fatalf("aliases U->V and I->1: got %q, %v", got, err)
	}
	if _, err := Base32Decode("91JPR+3F4!BPYWKCCG"); err == nil {
		t.Fatal("decoding invalid characters succeeded")
	}
	lower, err := Base32Decode(strings.ToLower("91JPRV3F41BPYWKCCG"))
	if err != nil || string(lower) != "Hello World" {
		t.Fatalf("lower case: got %q, %v", lower, err)
	}
}

func FuzzBase32(f *testing.F) {
	f.Add([]byte("Hello World"))
	f.Add([]byte{})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		back, err := Base32Decode(Base32Encode(data))
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("round trip of %x: %x, %v", data, back, err)
		}
		Base32Decode(string(data)) // must not panic
	})
}

func TestParsePeerIDRoundTrip(t *testing.T) {
	k, err := NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	id := k.PeerID()
	if len(id.String()) != 52 {
		t.Fatalf("peer ID text has %d characters, want 52", len(id.String()))
	}
	back, err := ParsePeerID(id.String())
	if err != nil || back != id {
		t.Fatalf("ParsePeerID(%s) = %s, %v", id, back, err)
	}
}

func TestParsePeerIDRejectsBadInput(t *testing.T) {
	k, _ := NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	good := k.PeerID().String()
	cases := map[string]string{
		"short":       good[:51],
		"long":        good + "0",
		"bad char":    good[:10] + "!" + good[11:],
		"trailing 1s": good[:51] + "Z",
		"empty":       "",
	}
	for name, s := range cases {
		_, err := ParsePeerID(s)
		if !errors.Is(err, ErrInvalidPeerID) {
			t.Errorf("%s: ParsePeerID(%q) error = %v, want ErrInvalidPeerID", name, s, err)
		}
	}
}

func TestX25519KeysMatch(t *testing.T) {
	k, _ := NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	priv, err := ecdh.X25519().NewPrivateKey(k.X25519())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := k.PeerID().X25519()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.PublicKey().Bytes(), pub) {
		t.Fatalf("X25519 public from private %x != from peer ID %x", priv.PublicKey().Bytes(), pub)
	}
}

func TestKeyFileRejectsWideMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "peer.key")
	k, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("create: %v, created=%v", err, created)
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || again.PeerID() != k.PeerID() {
		t.Fatalf("reload: %v, created=%v", err, created)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyFile(path); !errors.Is(err, ErrKeyFileMode) {
		t.Fatalf("mode 0640: error = %v, want ErrKeyFileMode", err)
	}
}

func TestSaveKeyFileRefusesOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "peer.key")
	k, _ := NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	if err := SaveKeyFile(path, k); err != nil {
		t.Fatal(err)
	}
	if err := SaveKeyFile(path, k); err == nil {
		t.Fatal("second SaveKeyFile succeeded")
	}
}
