package hello

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hush-overlay/hush/identity"
)

func testKey(t testing.TB) *identity.PrivateKey {
	k, err := identity.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestHelloRoundTrip(t *testing.T) {
	exp := time.Date(2031, 1, 2, 3, 4, 5, 6789000, time.UTC)
	h, err := New(testKey(t), []string{"tcp://127.0.0.1:2086", "mem://4"}, exp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(h.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if got.Peer != h.Peer || !got.Expires.Equal(exp) || len(got.Addresses) != 2 || got.Addresses[1] != "mem://4" {
		t.Fatalf("parsed %+v, want %+v", got, h)
	}
}

func TestHelloRejectsTamperingAndTruncation(t *testing.T) {
	h, _ := New(testKey(t), []string{"tcp://127.0.0.1:2086"}, time.Unix(2e9, 0))
	wire := h.Marshal()
	for i := range wire {
		flipped := append([]byte(nil), wire...)
		flipped[i] ^= 0x01
		if _, err := Parse(flipped); err == nil {
			t.Fatalf("flipping a bit of byte %d still parses and verifies", i)
		}
	}
	for n := 0; n < len(wire); n++ {
		if _, err := Parse(wire[:n]); err == nil {
			t.Fatalf("prefix of %d bytes parsed", n)
		}
	}
	if _, err := Parse(append(wire, 0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("trailing byte: error = %v, want ErrMalformed", err)
	}
}

func TestNewRejectsBadAddresses(t *testing.T) {
	if _, err := New(testKey(t), []string{""}, time.Unix(2e9, 0)); err == nil {
		t.Fatal("empty address accepted")
	}
	many := make([]string, MaxAddresses+1)
	for i := range many {
		many[i] = "mem://1"
	}
	if _, err := New(testKey(t), many, time.Unix(2e9, 0)); err == nil {
		t.Fatal("too many addresses accepted")
	}
}

func TestNewerAndExpired(t *testing.T) {
	k := testKey(t)
	old, _ := New(k, []string{"mem://1"}, time.Unix(1000, 0))
	young, _ := New(k, []string{"mem://1"}, time.Unix(2000, 0))
	if !young.Newer(old) || old.Newer(young) {
		t.Fatal("Newer does not order by expiry")
	}
	if !old.Expired(time.Unix(1000, 0)) || old.Expired(time.Unix(999, 0)) {
		t.Fatal("Expired boundary is wrong")
	}
}

func FuzzParse(f *testing.F) {
	h, _ := New(testKey(f), []string{"tcp://127.0.0.1:2086"}, time.Unix(2e9, 0))
	f.Add(h.Marshal())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		if err != nil {
			return
		}
		if !bytes.Equal(got.Marshal(), data) {
			t.Fatalf("re-encoding a parsed HELLO changed it")
		}
	})
}
