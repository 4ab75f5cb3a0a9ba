package core

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"errors"
	"testing"
)

func TestX25519MatchesCryptoECDH(t *testing.T) {
	random := &detRand{state: [32]byte{42}}
	for i := range 200 {
		raw := make([]byte, keySize)
		random.Read(raw)
		want, err := ecdh.X25519().NewPrivateKey(raw)
		if err != nil {
			t.Fatal(err)
		}
		scalar := clampScalar(raw)
		pub, err := x25519Public(&scalar)
		if err != nil || !bytes.Equal(pub, want.PublicKey().Bytes()) {
			t.Fatalf("key %d: public key %x, %v; expected %x", i, pub, err, want.PublicKey().Bytes())
		}
		point := make([]byte, keySize)
		random.Read(point)
		point[31] &= 127
		peer, err := ecdh.X25519().NewPublicKey(point)
		if err != nil {
			t.Fatal(err)
		}
		wantSecret, wantErr := want.ECDH(peer)
		got, gotErr := x25519(&scalar, point)
		if (wantErr == nil) != (gotErr == nil) || !bytes.Equal(got, wantSecret) {
			t.Fatalf("key %d: secret %x, %v; expected %x, %v", i, got, gotErr, wantSecret, wantErr)
		}
	}
}

func TestX25519RejectsLowOrderPoints(t *testing.T) {
	scalar := clampScalar(bytes.Repeat([]byte{7}, keySize))
	one := make([]byte, keySize)
	one[0] = 1
	for _, p := range [][]byte{make([]byte, keySize), one} {
		if _, err := x25519(&scalar, p); !errors.Is(err, errLowOrder) {
			t.Errorf("point %x: %v, expected errLowOrder", p, err)
		}
	}
}

// TestX25519RFC7748Vector checks the first test vector of RFC 7748,
// section 5.2.
func TestX25519RFC7748Vector(t *testing.T) {
	scalar := hexBytes(t, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
	point := hexBytes(t, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
	want := hexBytes(t, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
	s := clampScalar(scalar)
	got, err := x25519(&s, point)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("X25519 = %x, %v; expected %x", got, err, want)
	}
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
