package wire

import (
	"reflect"
	"testing"
	"time"

	"github.com/hush-overlay/hush/hello"
	"github.com/hush-overlay/hush/identity"
)

var testTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func testKey(t testing.TB, seed byte) *identity.PrivateKey {
	t.Helper()
	s := make([]byte, 32)
	s[0] = seed
	k, err := identity.NewKeyFromSeed(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testPath(t testing.TB, n int) []PathEntry {
	out := make([]PathEntry, n)
	for i := range out {
		out[i].Peer = testKey(t, byte(i+1)).PeerID()
		out[i].Signature[0] = byte(i)
	}
	return out
}

// checkWire parses b, and if that works, checks that the encoding of the
// parsed message parses to the same message and that every proper prefix of
// the encoding fails to parse.
func checkWire[M any](t *testing.T, b []byte, parse func([]byte) (M, error), encode func(M) []byte) {
	m, err := parse(b)
	if err != nil {
		return
	}
	enc := encode(m)
	again, err := parse(enc)
	if err != nil {
		t.Fatalf("re-encoded message does not parse: %v", err)
	}
	if !reflect.DeepEqual(normalize(m), normalize(again)) {
		t.Fatalf("round trip changed the message:\n%+v\n%+v", m, again)
	}
	for i := 0; i < len(enc); i++ {
		if _, err := parse(enc[:i]); err == nil {
			t.Fatalf("prefix of %d of %d bytes parsed", i, len(enc))
		}
	}
}

// normalize makes empty and nil slices compare equal.
func normalize(m any) any {
	switch v := m.(type) {
	case *Put:
		c := *v
		if len(c.Block) == 0 {
			c.Block = nil
		}
		return c
	case *Result:
		c := *v
		if len(c.Block) == 0 {
			c.Block = nil
		}
		return c
	case *Estimate:
		return *v
	}
	return m
}

func TestPutRoundTrip(t *testing.T) {
	m := &Put{Options: RecordRoute | Truncated, HopCount: 3, Replication: 5, BlockType: 8,
		Expires: testTime, Path: testPath(t, 2), Block: []byte("block"),
		TruncatedOrigin: testKey(t, 9).PeerID()}
	m.Key[0] = 1
	m.PeerFilter.Add(m.TruncatedOrigin)
	b := m.Append(nil)
	if len(b) != m.Size() {
		t.Fatalf("encoded %d bytes, Size %d", len(b), m.Size())
	}
	got, err := ParsePut(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v\nwant %+v", got, m)
	}
}

func TestResultRoundTrip(t *testing.T) {
	m := &Result{Options: RecordRoute, BlockType: 7, Expires: testTime,
		PutPath: testPath(t, 1), GetPath: testPath(t, 3), Block: []byte("b")}
	m.QueryKey[1], m.BlockKey[2] = 1, 2
	b := m.Append(nil)
	if len(b) != m.Size() {
		t.Fatalf("encoded %d bytes, Size %d", len(b), m.Size())
	}
	got, err := ParseResult(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v\nwant %+v", got, m)
	}
}

func TestGetRoundTrip(t *testing.T) {
	m := &Get{Options: FindApproximate, HopCount: 1, Replication: 4, BlockType: 11,
		FilterMutator: 99, ResultFilter: make([]byte, 16)}
	m.Key[63] = 5
	got, err := ParseGet(m.Append(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v\nwant %+v", got, m)
	}
}

func TestUnknownOptionRejected(t *testing.T) {
	b := (&Get{}).Append(nil)
	b[1] = 0x80
	if _, err := ParseGet(b); err == nil {
		t.Fatal("unknown option bit accepted")
	}
}

func TestWrongTypeRejected(t *testing.T) {
	b := (&Get{}).Append(nil)
	if _, err := ParsePut(b); err == nil {
		t.Fatal("GET parsed as PUT")
	}
}

func TestTimeClamp(t *testing.T) {
	if got := MicrosToTime(^uint64(0)); got.UnixMicro() != MaxMicros {
		t.Errorf("largest u64 read as %v", got)
	}
	if got := TimeToMicros(time.Unix(int64(^uint64(0)/1e6), 0)); got != MaxMicros {
		t.Errorf("GNS's never (year 586,912) encoded as %d, want MaxMicros", got)
	}
	if got := TimeToMicros(time.Unix(-5, 0)); got != 0 {
		t.Errorf("time before 1970 encoded as %d", got)
	}
	if got := MicrosToTime(0); !got.Equal(time.Unix(0, 0)) {
		t.Errorf("zero read as %v", got)
	}
}

func TestPeerFilter(t *testing.T) {
	var f PeerFilter
	a, b := testKey(t, 1).PeerID(), testKey(t, 2).PeerID()
	f.Add(a)
	if !f.Contains(a) {
		t.Fatal("filter lost an added peer")
	}
	if f.Contains(b) {
		t.Fatal("filter contains a peer never added")
	}
}

func TestPeerFilterFalsePositives(t *testing.T) {
	var f PeerFilter
	for i := 0; i < 30; i++ {
		f.Add(testKey(t, byte(i)).PeerID())
	}
	fp := 0
	for i := 30; i < 230; i++ {
		if f.Contains(testKey(t, byte(i)).PeerID()) {
			fp++
		}
	}
	// With 30 peers the expected rate is about 0.06 %.
	if fp > 2 {
		t.Fatalf("%d false positives in 200", fp)
	}
}

func TestPeerFilterBitsDeterministic(t *testing.T) {
	var f1, f2 PeerFilter
	f1.Add(testKey(t, 3).PeerID())
	f2.Add(testKey(t, 3).PeerID())
	if f1 != f2 {
		t.Fatal("same peer set different bits")
	}
}

func FuzzPut(f *testing.F) {
	f.Add((&Put{Block: []byte("x"), Expires: testTime}).Append(nil))
	f.Add((&Put{Options: Truncated | RecordRoute, Path: testPath(f, 2), Block: []byte("y")}).Append(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWire(t, b, ParsePut, func(m *Put) []byte { return m.Append(nil) })
	})
}

func FuzzGet(f *testing.F) {
	f.Add((&Get{ResultFilter: make([]byte, 8)}).Append(nil))
	f.Add((&Get{Options: FindApproximate, HopCount: 7}).Append(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWire(t, b, ParseGet, func(m *Get) []byte { return m.Append(nil) })
	})
}

func FuzzResult(f *testing.F) {
	f.Add((&Result{Block: []byte("x"), Expires: testTime}).Append(nil))
	f.Add((&Result{Options: Truncated, PutPath: testPath(f, 1), GetPath: testPath(f, 2)}).Append(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWire(t, b, ParseResult, func(m *Result) []byte { return m.Append(nil) })
	})
}

func FuzzHello(f *testing.F) {
	h, err := hello.New(testKey(f, 1), []string{"mem://1", "tcp://127.0.0.1:1"}, testTime)
	if err != nil {
		f.Fatal(err)
	}
	f.Add((&Hello{Hello: h}).Append(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWire(t, b, ParseHello, func(m *Hello) []byte { return m.Append(nil) })
	})
}

func FuzzEstimate(f *testing.F) {
	f.Add((&Estimate{Round: 5, Samples: []uint8{1, 2, 3}}).Append(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWire(t, b, ParseEstimate, func(m *Estimate) []byte { return m.Append(nil) })
	})
}
