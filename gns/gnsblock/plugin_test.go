package gnsblock

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/gns/zone"
)

func sealed(t testing.TB, expires time.Time) (*zone.Block, []byte) {
	priv, err := zone.NewEDKEY(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	b, err := zone.SealBlock(priv, "www", []byte{0, 0, 0, 0}, expires)
	if err != nil {
		t.Fatal(err)
	}
	return b, b.Marshal()
}

func TestPluginAcceptsValidBlock(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b, data := sealed(t, now.Add(time.Hour))
	key, err := Plugin{}.DeriveKey(data)
	if err != nil || key != block.Key(b.Query()) {
		t.Fatalf("DeriveKey = %x, %v", key[:8], err)
	}
	info, err := Plugin{}.Validate(key, data, now)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Expires.Equal(b.Expiration) {
		t.Fatalf("expiry %v, want %v", info.Expires, b.Expiration)
	}
}

func TestPluginRejectsBadBlocks(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b, data := sealed(t, now.Add(time.Hour))
	key := block.Key(b.Query())

	tampered := append([]byte(nil), data...)
	tampered[len(tampered)-1] ^= 1
	if _, err := (Plugin{}).Validate(key, tampered, now); !errors.Is(err, block.ErrInvalidBlock) {
		t.Errorf("tampered block: %v", err)
	}
	if _, err := (Plugin{}).Validate(block.Key{1}, data, now); !errors.Is(err, block.ErrInvalidBlock) {
		t.Errorf("block under another key: %v", err)
	}
	if _, err := (Plugin{}).Validate(key, data[:len(data)-3], now); !errors.Is(err, block.ErrInvalidBlock) {
		t.Errorf("truncated block: %v", err)
	}
	if _, err := (Plugin{}).Validate(key, data, now.Add(2*time.Hour)); !errors.Is(err, block.ErrExpired) {
		t.Errorf("expired block: %v", err)
	}
}

func FuzzValidate(f *testing.F) {
	_, data := sealed(f, time.Date(2030, 1, 1, 1, 0, 0, 0, time.UTC))
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := Plugin{}.DeriveKey(data)
		if err != nil {
			return
		}
		Plugin{}.Validate(key, data, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	})
}
