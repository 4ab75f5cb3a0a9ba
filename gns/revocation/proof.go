package revocation

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

const (
	// PowCount is the number of proof-of-work values in a proof.
	PowCount = 32
	// ProofSize is the size of an encoded proof in bytes.
	ProofSize = 16 + 8*PowCount + zone.IDSize + zone.SignatureSize

	// signPurposeRevocation is GNUnet's signature purpose GNS_REVOCATION.
	signPurposeRevocation = 3
	// signedMessageSize is SIZE, PURPOSE, TIMESTAMP and the zone ID.
	signedMessageSize = 4 + 4 + 8 + zone.IDSize

	// maxTTLMicros is the longest TTL a time.Duration holds, about 292
	// years. ParseProof rejects longer ones.
	maxTTLMicros = uint64(math.MaxInt64 / int64(time.Microsecond))
)

// ErrInvalidProof is wrapped by errors about malformed or insufficient
// revocation proofs.
var ErrInvalidProof = errors.New("invalid revocation proof")

// Proof is a zone revocation with its proof of work.
type Proof struct {
	Timestamp time.Time     // microsecond precision on the wire
	TTL       time.Duration // microsecond precision on the wire
	PoW       [PowCount]uint64
	Zone      zone.PublicKey
	Signature zone.Signature
}

// ParseProof decodes a proof. It checks the layout and the zone key, not
// the signature or the proof of work: call Check for those.
func ParseProof(b []byte) (*Proof, error) {
	if len(b) != ProofSize {
		return nil, fmt.Errorf("revocation: %w: %d bytes, expected %d", ErrInvalidProof, len(b), ProofSize)
	}
	be := binary.BigEndian
	ttl := be.Uint64(b[8:])
	if ttl > maxTTLMicros {
		return nil, fmt.Errorf("revocation: %w: TTL of %d microseconds is longer than %v", ErrInvalidProof, ttl, time.Duration(math.MaxInt64))
	}
	p := &Proof{
		Timestamp: zone.TimeFromMicros(be.Uint64(b)),
		TTL:       time.Duration(ttl) * time.Microsecond,
	}
	for i := range p.PoW {
		p.PoW[i] = be.Uint64(b[16+8*i:])
	}
	off := 16 + 8*PowCount
	zk, err := zone.ParseID(b[off : off+zone.IDSize])
	if err != nil {
		return nil, fmt.Errorf("revocation: %w: %w", ErrInvalidProof, err)
	}
	p.Zone = zk
	copy(p.Signature[:], b[off+zone.IDSize:])
	return p, nil
}

// Marshal encodes the proof.
func (p *Proof) Marshal() []byte {
	be := binary.BigEndian
	out := make([]byte, 0, ProofSize)
	out = be.AppendUint64(out, zone.MicrosFromTime(p.Timestamp))
	out = be.AppendUint64(out, uint64(max(p.TTL, 0)/time.Microsecond))
	for _, v := range p.PoW {
		out = be.AppendUint64(out, v)
	}
	out = append(out, p.Zone.ID()...)
	return append(out, p.Signature[:]...)
}

// SignedMessage returns the bytes that the signature covers.
func (p *Proof) SignedMessage() []byte {
	be := binary.BigEndian
	msg := make([]byte, 0, signedMessageSize)
	msg = be.AppendUint32(msg, signedMessageSize)
	msg = be.AppendUint32(msg, signPurposeRevocation)
	msg = be.AppendUint64(msg, zone.MicrosFromTime(p.Timestamp))
	return append(msg, p.Zone.ID()...)
}

// VerifySignature checks the signature with the revoked zone key.
func (p *Proof) VerifySignature() error {
	if !p.Zone.Verify(p.SignedMessage(), p.Signature) {
		return fmt.Errorf("revocation: %w: signature does not verify for zone %s", ErrInvalidProof, p.Zone)
	}
	return nil
}

// Sign starts a revocation of priv's zone at timestamp, valid for ttl.
// It fills in the zone key and the signature and leaves the proof of work
// empty for a Search to compute. GNUnet dates the timestamp one week back
// so that peers with slow clocks accept it, and Sign leaves that choice to
// the caller.
func Sign(priv *zone.PrivateKey, timestamp time.Time, ttl time.Duration) *Proof {
	p := &Proof{
		Timestamp: zone.TimeFromMicros(zone.MicrosFromTime(timestamp)),
		TTL:       ttl.Truncate(time.Microsecond),
		Zone:      priv.Public(),
	}
	p.Signature = priv.Sign(p.SignedMessage())
	return p
}
