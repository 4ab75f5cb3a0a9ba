package revocation

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/hush-overlay/hush/gns/zone"
)

// Proof-of-work hash parameters (RFC 9498, section "Zone Revocation"),
// which are those of GNUnet's GNUNET_CRYPTO_pow_hash: Argon2id with 3 passes over 1 MiB,
// one lane, a 64-byte output and this salt.
const (
	argonTime    = 3
	argonMemory  = 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 64
	powSalt      = "GnsRevocationPow"
)

const (
	// DefaultDifficulty is GNUnet's base difficulty D: the average number
	// of leading zero bits a proof needs to be valid for one epoch.
	// NOTE: the value of GNUnet's revocation.conf (WORKBITS) as recalled,
	// not checked against its source.
	DefaultDifficulty = 22
	// EpochLength is how long each bit above D-1 keeps a revocation
	// valid: one year of 365 days, GNUnet's EPOCH_DURATION.
	EpochLength = 365 * 24 * time.Hour
)

// powHash returns Argon2id(POW || TIMESTAMP || ZTYPE || ZKEY).
func powHash(pow uint64, timestamp uint64, zoneID []byte) []byte {
	in := make([]byte, 0, 16+len(zoneID))
	in = binary.BigEndian.AppendUint64(in, pow)
	in = binary.BigEndian.AppendUint64(in, timestamp)
	in = append(in, zoneID...)
	return argon2.IDKey(in, []byte(powSalt), argonTime, argonMemory, argonThreads, argonKeyLen)
}

// leadingZeros counts the leading zero bits of h.
func leadingZeros(h []byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// Score returns D', the average number of leading zero bits of the 32
// proof-of-work hashes, rounded down. It costs 32 Argon2id hashes.
func (p *Proof) Score() int {
	ts := zone.MicrosFromTime(p.Timestamp)
	id := p.Zone.ID()
	sum := 0
	for _, v := range p.PoW {
		sum += leadingZeros(powHash(v, ts, id))
	}
	return sum / PowCount
}

// Expiration returns when a proof with the given score stops being
// valid: TIMESTAMP plus (score - difficulty + 1) epochs, plus a tenth of
// an epoch for unsynchronised clocks (RFC 9498, section "Zone
// Revocation").
func (p *Proof) Expiration(score, difficulty int) time.Time {
	epochs := score - difficulty + 1
	return p.Timestamp.Add(time.Duration(epochs)*EpochLength + EpochLength/10)
}

// Check validates a revocation at now as GNUnet's
// GNUNET_GNSRECORD_check_pow does: the signature verifies, the POW values
// increase strictly, the score reaches difficulty, TIMESTAMP is not in the
// future and the revocation has not expired. It returns the expiration.
func (p *Proof) Check(now time.Time, difficulty int) (time.Time, error) {
	if err := p.VerifySignature(); err != nil {
		return time.Time{}, err
	}
	for i := 1; i < PowCount; i++ {
		if p.PoW[i-1] >= p.PoW[i] {
			return time.Time{}, fmt.Errorf("revocation: %w: POW values %d and %d are not strictly increasing", ErrInvalidProof, i-1, i)
		}
	}
	score := p.Score()
	if score < difficulty {
		return time.Time{}, fmt.Errorf("revocation: %w: score %d is below the difficulty %d", ErrInvalidProof, score, difficulty)
	}
	if p.Timestamp.After(now) {
		return time.Time{}, fmt.Errorf("revocation: %w: timestamp %v is in the future", ErrInvalidProof, p.Timestamp)
	}
	exp := p.Expiration(score, difficulty)
	if !exp.After(now) {
		return time.Time{}, fmt.Errorf("revocation: %w: expired at %v", ErrInvalidProof, exp)
	}
	return exp, nil
}
