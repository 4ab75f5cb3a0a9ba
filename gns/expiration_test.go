package gns

import (
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/record"
)

func TestParseExpirationForms(t *testing.T) {
	cases := []struct {
		text     string
		relative time.Duration
		absolute time.Time
	}{
		{"1d", 24 * time.Hour, time.Time{}},
		{"1w2d3h4m5s", 9*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second, time.Time{}},
		{"2030-01-01T00:00:00Z", 0, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		exp, flags, err := ParseExpiration(c.text)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		r := record.Record{Expiration: exp, Flags: flags}
		if c.relative > 0 && (!r.IsRelative() || r.Expiration.Duration() != c.relative) {
			t.Errorf("%s: got %v relative=%v, expected relative %v", c.text, exp, r.IsRelative(), c.relative)
		}
		if c.relative == 0 && (r.IsRelative() || !r.Expiration.Time().Equal(c.absolute)) {
			t.Errorf("%s: got %v, expected absolute %v", c.text, r.Expiration.Time(), c.absolute)
		}
		if back := FormatExpiration(r); back != c.text {
			t.Errorf("%s: formatted back as %s", c.text, back)
		}
	}
}

func TestParseExpirationNever(t *testing.T) {
	exp, flags, err := ParseExpiration("never")
	if err != nil || exp != record.Never || flags != 0 {
		t.Errorf("never: %v %v %v", exp, flags, err)
	}
}

func TestParseExpirationInvalid(t *testing.T) {
	for _, s := range []string{"", "0s", "1", "d", "1x", "99999999999d", "-1d", "1d-"} {
		if _, _, err := ParseExpiration(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestParseFlagsRoundTrip(t *testing.T) {
	f, err := ParseFlags("Shadow,private")
	if err != nil {
		t.Fatal(err)
	}
	if f != record.FlagShadow|record.FlagPrivate {
		t.Errorf("flags %v", f)
	}
	if s := FormatFlags(f); s != "private,shadow" {
		t.Errorf("FormatFlags = %q", s)
	}
	if _, err := ParseFlags("loud"); err == nil {
		t.Error("unknown flag accepted")
	}
}
