package zone

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hush-overlay/hush/identity"
)

// RFC 9498, appendix "Base32GNS": the encoding vectors and the
// decoding aliases and rejections.
func TestRFC9498Base32GNS(t *testing.T) {
	vectors := []struct{ hex, text string }{
		{"5940b32db88661c2", "B50B6BDRGSGW4"},
		{"48656c6c6f20576f726c64", "91JPRV3F41BPYWKCCG"},
		{"d4", "TG"},
		{"78d3", "F39G"},
		{"43a45957", "8EJ5JNR"},
		{"f97f856d8d8d6591503a2f369f630145", "Z5ZRAVCDHNJS2M1T5WV9YRR18M"},
	}
	for _, v := range vectors {
		raw, _ := hex.DecodeString(v.hex)
		if got := identity.Base32Encode(raw); got != v.text {
			t.Errorf("Base32Encode(%s) = %s, expected %s", v.hex, got, v.text)
		}
		back, err := identity.Base32Decode(v.text)
		if err != nil || !bytes.Equal(back, raw) {
			t.Errorf("Base32Decode(%s) = %x, %v, expected %s", v.text, back, err, v.hex)
		}
	}
	// U reads as V and I as 1.
	got, err := identity.Base32Decode("91JPRU3F4IBPYWKCCG")
	if err != nil || string(got) != "Hello World" {
		t.Errorf("Base32Decode with aliases = %q, %v, expected \"Hello World\"", got, err)
	}
	if _, err := identity.Base32Decode("91JPR+3F4!BPYWKCCG"); err == nil {
		t.Error("Base32Decode accepted '+' and '!'")
	}
}

func TestParsePublicKeyRejectsBadInput(t *testing.T) {
	good := "000G0037FH3QTBCK15Y8BCCNRVWPV17ZC7TSGB1C9ZG2TPGHZVFV1GMG3W"
	cases := map[string]string{
		"empty":        "",
		"short":        good[:len(good)-1],
		"long":         good + "0",
		"bad char":     "!" + good[1:],
		"unknown type": identity.Base32Encode(append([]byte{0, 1, 0, 1}, make([]byte, 32)...)),
		"not a point":  identity.Base32Encode(append([]byte{0, 1, 0, 0}, notAPoint()...)),
	}
	for name, s := range cases {
		if _, err := ParsePublicKey(s); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: ParsePublicKey(%q) = %v, expected ErrInvalidKey", name, s, err)
		}
	}
	k, err := ParsePublicKey(strings.ToLower(good))
	if err != nil || k.String() != good {
		t.Errorf("ParsePublicKey(lower case) = %v, %v", k, err)
	}
}

// notAPoint returns y = 2, which is not the y coordinate of a point of
// edwards25519.
func notAPoint() []byte {
	b := make([]byte, KeySize)
	b[0] = 2
	return b
}

func TestNormalizeLabel(t *testing.T) {
	long := strings.Repeat("a", MaxLabelSize)
	ok := map[string]string{
		"www":          "www",
		"e\u0301":      "\u00e9", // NFD to NFC
		"天下無敵":         "天下無敵",
		ApexLabel:      ApexLabel,
		long:           long,
		"Mixed-Case_1": "Mixed-Case_1",
	}
	for in, want := range ok {
		got, err := NormalizeLabel(in)
		if err != nil || got != want {
			t.Errorf("NormalizeLabel(%q) = %q, %v, expected %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a.b", ".", long + "a", "\xff", strings.Repeat("é", 32)} {
		if _, err := NormalizeLabel(bad); !errors.Is(err, ErrInvalidLabel) {
			t.Errorf("NormalizeLabel(%q) = %v, expected ErrInvalidLabel", bad, err)
		}
	}
}

func TestTimeConversionRoundTrips(t *testing.T) {
	for _, us := range []uint64{0, 1, 1796499086625452, 8143584694000000, math.MaxUint64} {
		if got := MicrosFromTime(TimeFromMicros(us)); got != us {
			t.Errorf("MicrosFromTime(TimeFromMicros(%d)) = %d", us, got)
		}
	}
	if got := MicrosFromTime(time.Unix(-5, 0)); got != 0 {
		t.Errorf("MicrosFromTime before 1970 = %d, expected 0", got)
	}
	if MicrosFromTime(Forever) != math.MaxUint64 {
		t.Error("Forever does not map to all ones")
	}
}

func generateKeys(t testing.TB) []*PrivateKey {
	t.Helper()
	seed := bytes.NewReader(bytes.Repeat([]byte{0x42}, 64))
	pk, err := GeneratePKEY(seed)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := GenerateEDKEY(seed)
	if err != nil {
		t.Fatal(err)
	}
	return []*PrivateKey{pk, ed}
}

func TestPrivateKeyMarshalRoundTrips(t *testing.T) {
	for _, p := range generateKeys(t) {
		raw := MarshalPrivateKey(p)
		back, err := ParsePrivateKey(raw)
		if err != nil {
			t.Fatal(err)
		}
		if back.Public() != p.Public() {
			t.Errorf("%s: parsed key has zone %s, expected %s", p.Type(), back.Public(), p.Public())
		}
		text, err := ParsePrivateKeyText(identity.Base32Encode(raw))
		if err != nil || text.Public() != p.Public() {
			t.Errorf("%s: ParsePrivateKeyText = %v, %v", p.Type(), text, err)
		}
		for n := range len(raw) {
			if _, err := ParsePrivateKey(raw[:n]); err == nil {
				t.Fatalf("ParsePrivateKey accepted a %d-byte prefix", n)
			}
		}
	}
	if _, err := NewPKEY(make([]byte, 32)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("NewPKEY(0) = %v, expected ErrInvalidKey", err)
	}
}

// GNUnet's PKEY private keys are clamped, and GeneratePKEY must produce
// the same form, which MarshalPrivateKey writes little-endian.
func TestGeneratePKEYClamps(t *testing.T) {
	p := generateKeys(t)[0]
	le := MarshalPrivateKey(p)[4:]
	if le[0]&7 != 0 || le[31]&0x80 != 0 || le[31]&0x40 == 0 {
		t.Errorf("PKEY private key %x is not clamped", le)
	}
}

func TestSignVerify(t *testing.T) {
	msg := []byte("\x00\x00\x00\x0ctest message")
	for _, p := range generateKeys(t) {
		sig := p.Sign(msg)
		if !p.Public().Verify(msg, sig) {
			t.Errorf("%s: signature does not verify", p.Type())
		}
		if again := p.Sign(msg); again != sig {
			t.Errorf("%s: signing is not deterministic", p.Type())
		}
		bad := sig
		bad[5] ^= 1
		if p.Public().Verify(msg, bad) {
			t.Errorf("%s: a modified signature verifies", p.Type())
		}
		if p.Public().Verify(append(msg, 0), sig) {
			t.Errorf("%s: the signature verifies another message", p.Type())
		}
	}
}

func TestECDSARejectsOutOfRangeSignature(t *testing.T) {
	p := generateKeys(t)[0]
	msg := []byte("message")
	sig := p.Sign(msg)
	var zeroR Signature
	copy(zeroR[32:], sig[32:])
	if p.Public().Verify(msg, zeroR) {
		t.Error("r = 0 verifies")
	}
	var bigS Signature
	copy(bigS[:32], sig[:32])
	copy(bigS[32:], bytes.Repeat([]byte{0xff}, 32))
	if p.Public().Verify(msg, bigS) {
		t.Error("s >= L verifies")
	}
}

func TestBlockRoundTrip(t *testing.T) {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 123456000, time.UTC)
	rdata := []byte("some record data, not necessarily valid")
	for _, p := range generateKeys(t) {
		blk, err := SealBlock(p, "www", rdata, exp)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseBlock(blk.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		if err := parsed.Verify(); err != nil {
			t.Fatal(err)
		}
		if !parsed.Expiration.Equal(exp) {
			t.Errorf("%s: expiration = %v, expected %v", p.Type(), parsed.Expiration, exp)
		}
		q, _ := p.Public().Query("www")
		if parsed.Query() != q {
			t.Errorf("%s: block query %s, expected %s", p.Type(), parsed.Query(), q)
		}
		got, err := parsed.Open(p.Public(), "www")
		if err != nil || !bytes.Equal(got, rdata) {
			t.Errorf("%s: Open = %q, %v", p.Type(), got, err)
		}
	}
}

func TestBlockRejectsForgeries(t *testing.T) {
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := generateKeys(t)
	for _, p := range keys {
		blk, err := SealBlock(p, "www", []byte("0123456789abcdef"), exp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := blk.Open(p.Public(), "mail"); !errors.Is(err, ErrWrongZone) {
			t.Errorf("%s: Open with another label = %v, expected ErrWrongZone", p.Type(), err)
		}
		other := keys[0]
		if other == p {
			other = keys[1]
		}
		if _, err := blk.Open(other.Public(), "www"); !errors.Is(err, ErrWrongZone) {
			t.Errorf("%s: Open with another zone = %v, expected ErrWrongZone", p.Type(), err)
		}
		tampered := *blk
		tampered.Data = bytes.Clone(blk.Data)
		tampered.Data[len(tampered.Data)-1] ^= 1
		if err := tampered.Verify(); !errors.Is(err, ErrInvalidBlock) {
			t.Errorf("%s: Verify of modified BDATA = %v, expected ErrInvalidBlock", p.Type(), err)
		}
		later := *blk
		later.Expiration = exp.Add(time.Microsecond)
		if err := later.Verify(); !errors.Is(err, ErrInvalidBlock) {
			t.Errorf("%s: Verify with another expiration = %v, expected ErrInvalidBlock", p.Type(), err)
		}
		if p.Type() == TypeEDKEY {
			if _, err := tampered.Open(p.Public(), "www"); !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open of modified EDKEY BDATA = %v, expected ErrDecrypt", err)
			}
		}
	}
}

func TestParseBlockRejectsBadInput(t *testing.T) {
	raw, _ := hex.DecodeString(loadRFCVectors(t)[2].RRBlock) // EDKEY
	for n := range len(raw) {
		if _, err := ParseBlock(raw[:n]); err == nil {
			t.Fatalf("ParseBlock accepted a %d-byte prefix", n)
		}
	}
	cases := map[string]func(b []byte) []byte{
		"size too large": func(b []byte) []byte { b[3]++; return b },
		"unknown type":   func(b []byte) []byte { b[7] = 0x15; return b },
		"bad point":      func(b []byte) []byte { copy(b[8:40], notAPoint()); return b },
		"short tag": func(b []byte) []byte {
			b = b[:BlockHeaderSize+15]
			b[2], b[3] = 0, byte(len(b))
			return b
		},
		"too large": func(b []byte) []byte {
			b = append(b, make([]byte, MaxBlockSize)...)
			b[0], b[1], b[2], b[3] = byte(len(b)>>24), byte(len(b)>>16), byte(len(b)>>8), byte(len(b))
			return b
		},
	}
	for name, mutate := range cases {
		if _, err := ParseBlock(mutate(bytes.Clone(raw))); !errors.Is(err, ErrInvalidBlock) {
			t.Errorf("%s: ParseBlock = %v, expected ErrInvalidBlock", name, err)
		}
	}
}

func TestSealBlockRejectsBadLabel(t *testing.T) {
	p := generateKeys(t)[1]
	if _, err := SealBlock(p, "a.b", nil, time.Now()); !errors.Is(err, ErrInvalidLabel) {
		t.Errorf("SealBlock with a dotted label = %v, expected ErrInvalidLabel", err)
	}
	if _, err := SealBlock(p, "big", make([]byte, MaxBlockSize), time.Now()); !errors.Is(err, ErrInvalidBlock) {
		t.Errorf("SealBlock with too much data = %v, expected ErrInvalidBlock", err)
	}
}

func TestPrivateKeyFormattingHidesSecret(t *testing.T) {
	for _, p := range generateKeys(t) {
		secret := hex.EncodeToString(MarshalPrivateKey(p)[4:])
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, p)
			if strings.Contains(out, secret) || strings.Contains(out, "[") {
				t.Errorf("%s formats %s as %q, which shows the secret", verb, p.Type(), out)
			}
			if !strings.Contains(out, p.Public().String()) {
				t.Errorf("%s formats %s as %q, without the zone", verb, p.Type(), out)
			}
		}
	}
}
