package core

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"errors"
	"runtime"
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

// TestX25519EdgePoints covers the inputs a ladder is most
// likely to get wrong: the top bit set, which must be ignored, values from
// p to 2^255-1, which must be reduced, and the points of small order.
func TestX25519EdgePoints(t *testing.T) {
	random := &detRand{state: [32]byte{7}}
	raw := make([]byte, keySize)
	random.Read(raw)
	want, _ := ecdh.X25519().NewPrivateKey(raw)
	scalar := clampScalar(raw)
	for i, point := range edgePoints(t, random) {
		peer, err := ecdh.X25519().NewPublicKey(point)
		if err != nil {
			t.Fatal(err)
		}
		wantSecret, wantErr := want.ECDH(peer)
		got, gotErr := x25519(&scalar, point)
		if (wantErr == nil) != (gotErr == nil) || !bytes.Equal(got, wantSecret) {
			t.Errorf("point %d (%x): secret %x, %v; expected %x, %v", i, point, got, gotErr, wantSecret, wantErr)
		}
	}
}

// edgePoints returns u-coordinates near 0, 1 and p and the two points of
// order 8, each also with the top bit set, and random points with the top
// bit set.
func edgePoints(t *testing.T, random *detRand) [][]byte {
	var points [][]byte
	for _, s := range []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	} {
		p := hexBytes(t, s)
		high := bytes.Clone(p)
		high[31] |= 0x80
		points = append(points, p, high)
	}
	for range 20 {
		p := make([]byte, keySize)
		random.Read(p)
		p[31] |= 0x80
		points = append(points, p)
	}
	return points
}

// BenchmarkX25519 compares one DH with a peer's point through core's
// x25519 and through crypto/ecdh with an already parsed private key, and
// the two ways to get a fresh key's public key.
func BenchmarkX25519(b *testing.B) {
	raw := bytes.Repeat([]byte{9}, keySize)
	scalar := clampScalar(raw)
	priv, _ := ecdh.X25519().NewPrivateKey(raw)
	point := priv.PublicKey().Bytes()
	b.Run("DH/core", func(b *testing.B) {
		benchCPU(b, func() { x25519(&scalar, point) })
	})
	b.Run("DH/crypto-ecdh", func(b *testing.B) {
		benchCPU(b, func() { priv.ECDH(priv.PublicKey()) })
	})
	b.Run("Public/core", func(b *testing.B) {
		benchCPU(b, func() { x25519Public(&scalar) })
	})
	b.Run("Public/crypto-ecdh", func(b *testing.B) {
		benchCPU(b, func() { ecdh.X25519().NewPrivateKey(raw) })
	})
}

// benchCPU runs f per operation on a locked thread and reports its CPU
// time per operation.
func benchCPU(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := cpuTime(true)
	for b.Loop() {
		f()
	}
	reportCPU(b, cpuTime(true)-start)
}
