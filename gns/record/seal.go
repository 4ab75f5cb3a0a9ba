package record

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

// maxExpirationOffset bounds how much earlier than BlockExpiration a
// sealed block expires: 2^24 microseconds, about 16.8 seconds.
const maxExpirationOffset = 1 << 24

// SealSet builds the block that publishes records under label at now.
//
// It drops PRIVATE and expired records, turns relative expirations into
// absolute ones, encodes the rest as RDATA and seals it with an
// expiration derived from BlockExpiration.
//
// The block's keystream depends only on the zone, the label and the
// expiration, so two different record sets sealed with the same
// expiration would leak their XOR. SealSet therefore moves the expiration
// earlier by an offset taken from a keyed hash of the RDATA. The offset is
// below 2^24 microseconds and below an eighth of the remaining lifetime.
// previous is the block last published for label, or nil. When it has
// the chosen expiration but other RDATA, SealSet moves one microsecond
// earlier again, so a changed record set never reuses the expiration of
// the previous block.
//
// NOTE: against blocks older than previous, the guarantee is
// probabilistic: two different record sets with the same BlockExpiration
// collide with a probability of about 2^-24.
func SealSet(priv *zone.PrivateKey, label string, records []Record, now time.Time, previous *zone.Block) (*zone.Block, error) {
	public := Publishable(records, now)
	rdata, err := MarshalSet(public)
	if err != nil {
		return nil, err
	}
	exp := BlockExpiration(public, now)
	exp = exp.Add(-time.Duration(expirationOffset(priv, label, rdata, exp.Sub(now))) * time.Microsecond)
	if previous != nil && zone.MicrosFromTime(previous.Expiration) == zone.MicrosFromTime(exp) {
		old, err := previous.Open(priv.Public(), label)
		if err != nil || !bytes.Equal(old, rdata) {
			exp = exp.Add(-time.Microsecond)
		}
	}
	blk, err := zone.SealBlock(priv, label, rdata, exp)
	if err != nil {
		return nil, fmt.Errorf("record: seal %d records for label %q: %w", len(public), label, err)
	}
	return blk, nil
}

// Publishable returns the records that may go into a block at now:
// neither PRIVATE nor expired, with relative expirations made absolute.
func Publishable(records []Record, now time.Time) []Record {
	var out []Record
	for _, r := range records {
		if r.Flags&FlagPrivate != 0 || r.IsExpired(now) {
			continue
		}
		out = append(out, r.Absolute(now))
	}
	return out
}

// expirationOffset returns HMAC-SHA256(key = private zone key, label ||
// rdata) modulo the allowed window, in microseconds. The key keeps the
// offset from confirming a guess of the RDATA.
func expirationOffset(priv *zone.PrivateKey, label string, rdata []byte, lifetime time.Duration) uint64 {
	window := uint64(maxExpirationOffset)
	if eighth := uint64(lifetime/time.Microsecond) / 8; lifetime > 0 && eighth < window {
		window = eighth
	}
	if lifetime <= 0 || window == 0 {
		return 0
	}
	mac := hmac.New(sha256.New, zone.MarshalPrivateKey(priv))
	mac.Write([]byte(label))
	mac.Write([]byte{0})
	mac.Write(rdata)
	return binary.BigEndian.Uint64(mac.Sum(nil)) % window
}

// OpenBlock decrypts blk with the zone key and label and parses the
// record set. It does not verify the signature, which zone.Block.Verify
// does.
func OpenBlock(blk *zone.Block, zoneKey zone.PublicKey, label string) ([]Record, error) {
	rdata, err := blk.Open(zoneKey, label)
	if err != nil {
		return nil, err
	}
	return ParseSet(rdata)
}
