package block

import (
	"errors"
	"testing"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

var now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func testKey(t *testing.T, seed byte) *identity.PrivateKey {
	t.Helper()
	s := make([]byte, 32)
	s[0] = seed
	k, err := identity.NewKeyFromSeed(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testHello(t *testing.T, seed byte, expires time.Time) []byte {
	t.Helper()
	h, err := hello.New(testKey(t, seed), []string{"mem://1"}, expires)
	if err != nil {
		t.Fatal(err)
	}
	return h.Marshal()
}

func TestResultFilterAddContains(t *testing.T) {
	f := NewResultFilter(7, 10)
	a, b := HashData([]byte("a")), HashData([]byte("b"))
	f.Add(a)
	if !f.Contains(a) {
		t.Fatal("filter lost an added key")
	}
	if f.Contains(b) {
		t.Fatal("filter contains a key never added")
	}
}

func TestResultFilterMutatorChangesBits(t *testing.T) {
	a := HashData([]byte("a"))
	f1, f2 := NewResultFilter(1, 1), NewResultFilter(2, 1)
	f1.Add(a)
	f2.Add(a)
	if string(f1.Bits) == string(f2.Bits) {
		t.Fatal("two mutators set the same bits")
	}
}

func TestResultFilterFalsePositiveRate(t *testing.T) {
	f := NewResultFilter(3, 100)
	for i := 0; i < 100; i++ {
		f.Add(HashData([]byte{byte(i), 1}))
	}
	fp := 0
	for i := 0; i < 10000; i++ {
		if f.Contains(HashData([]byte{byte(i), byte(i >> 8), 2})) {
			fp++
		}
	}
	if fp > 50 {
		t.Fatalf("%d false positives in 10000, expected at most 50", fp)
	}
}

func TestResultFilterSizes(t *testing.T) {
	if n := len(NewResultFilter(0, 0).Bits); n != MinFilterBytes {
		t.Errorf("empty filter has %d bytes, expected %d", n, MinFilterBytes)
	}
	if n := len(NewResultFilter(0, 1<<20).Bits); n != MaxFilterBytes {
		t.Errorf("huge filter has %d bytes, expected %d", n, MaxFilterBytes)
	}
	for _, n := range []int{0, 7, 12, 8192} {
		if CheckFilterSize(n) == nil {
			t.Errorf("CheckFilterSize(%d) accepted", n)
		}
	}
}

func TestNilFilterContainsNothing(t *testing.T) {
	var f *ResultFilter
	if f.Contains(HashData(nil)) {
		t.Fatal("nil filter contains a key")
	}
}

func TestHelloBlockValid(t *testing.T) {
	r := NewRegistry()
	data := testHello(t, 1, now.Add(time.Hour))
	key := HelloKey(testKey(t, 1).PeerID())
	info, err := r.Check(TypeHello, key, data, now)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("expires %v", info.Expires)
	}
}

func TestHelloBlockWrongKey(t *testing.T) {
	r := NewRegistry()
	data := testHello(t, 1, now.Add(time.Hour))
	_, err := r.Check(TypeHello, HelloKey(testKey(t, 2).PeerID()), data, now)
	if !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("error %v, expected ErrInvalidBlock", err)
	}
}

func TestHelloBlockExpired(t *testing.T) {
	r := NewRegistry()
	data := testHello(t, 1, now)
	_, err := r.Check(TypeHello, HelloKey(testKey(t, 1).PeerID()), data, now)
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("error %v, expected ErrExpired", err)
	}
}

func TestHelloBlockBadSignature(t *testing.T) {
	r := NewRegistry()
	data := testHello(t, 1, now.Add(time.Hour))
	data[len(data)-1] ^= 1
	_, err := r.Check(TypeHello, HelloKey(testKey(t, 1).PeerID()), data, now)
	if !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("error %v, expected ErrInvalidBlock", err)
	}
}

func TestTestBlockLimits(t *testing.T) {
	r := NewRegistry()
	key := KeyForString("x")
	if _, err := r.Check(TypeTest, key, nil, now); !errors.Is(err, ErrInvalidBlock) {
		t.Errorf("empty block: error %v", err)
	}
	if _, err := r.Check(TypeTest, key, make([]byte, MaxTestSize+1), now); !errors.Is(err, ErrInvalidBlock) {
		t.Errorf("oversized block: error %v", err)
	}
	if _, err := r.Check(TypeTest, key, []byte("v"), now); err != nil {
		t.Errorf("valid block: error %v", err)
	}
}

func TestUnknownTypeRejected(t *testing.T) {
	r := NewRegistry()
	if _, err := r.Check(TypeGNS, Key{}, []byte("x"), now); !errors.Is(err, ErrInvalidBlock) {
		t.Fatalf("error %v, expected ErrInvalidBlock", err)
	}
}
