package zone

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

const (
	// BlockHeaderSize is the size of an RRBLOCK without BDATA: SIZE,
	// ZTYPE, ZKEY', SIGNATURE and EXPIRATION.
	BlockHeaderSize = 4 + 4 + KeySize + SignatureSize + 8

	// MaxBlockSize is the largest RRBLOCK accepted or built: 63 KiB, the
	// GNUNET_GNSRECORD_MAX_BLOCK_SIZE of GNUnet's gnunet_gnsrecord_lib.h.
	// The DHT may accept less.
	MaxBlockSize = 63 * 1024

	// signPurposeRecord is GNUnet's signature purpose GNS_RECORD_SIGN.
	signPurposeRecord = 15
)

// ErrInvalidBlock is wrapped by errors about malformed or forged blocks.
var ErrInvalidBlock = errors.New("invalid block")

// ErrWrongZone is wrapped by Block.Open when the block was not published
// under the given zone key and label.
var ErrWrongZone = errors.New("block is not for this zone and label")

// Block is an RRBLOCK (RFC 9498, section "The Resource Record Block"). DerivedKey is zk' and has
// the zone type of the zone that published it.
type Block struct {
	DerivedKey PublicKey
	Signature  Signature
	Expiration time.Time // microsecond precision on the wire
	Data       []byte    // BDATA, the encrypted RDATA
}

// ParseBlock parses an RRBLOCK. It checks the layout, the zone type and
// that zk' is a curve point, not the signature: call Verify for that.
func ParseBlock(b []byte) (*Block, error) {
	if len(b) < BlockHeaderSize {
		return nil, fmt.Errorf("zone: %w: %d bytes, shorter than the %d-byte header", ErrInvalidBlock, len(b), BlockHeaderSize)
	}
	if size := binary.BigEndian.Uint32(b); int64(size) != int64(len(b)) {
		return nil, fmt.Errorf("zone: %w: SIZE field is %d, block has %d bytes", ErrInvalidBlock, size, len(b))
	}
	if len(b) > MaxBlockSize {
		return nil, fmt.Errorf("zone: %w: %d bytes, the maximum is %d", ErrInvalidBlock, len(b), MaxBlockSize)
	}
	dk, err := NewPublicKey(KeyType(binary.BigEndian.Uint32(b[4:])), b[8:8+KeySize])
	if err != nil {
		return nil, fmt.Errorf("zone: %w: derived key: %w", ErrInvalidBlock, err)
	}
	blk := &Block{DerivedKey: dk}
	copy(blk.Signature[:], b[40:40+SignatureSize])
	blk.Expiration = TimeFromMicros(binary.BigEndian.Uint64(b[104:]))
	blk.Data = bytes.Clone(b[BlockHeaderSize:])
	if dk.typ == TypeEDKEY && len(blk.Data) < secretboxOverhead {
		return nil, fmt.Errorf("zone: %w: EDKEY BDATA has %d bytes, less than its %d-byte tag", ErrInvalidBlock, len(blk.Data), secretboxOverhead)
	}
	return blk, nil
}

// Size returns the size of the encoded block in bytes.
func (b *Block) Size() int { return BlockHeaderSize + len(b.Data) }

// Marshal encodes the block in the RRBLOCK wire format.
func (b *Block) Marshal() []byte {
	out := make([]byte, 0, b.Size())
	out = binary.BigEndian.AppendUint32(out, uint32(b.Size()))
	out = binary.BigEndian.AppendUint32(out, uint32(b.DerivedKey.typ))
	out = append(out, b.DerivedKey.key[:]...)
	out = append(out, b.Signature[:]...)
	out = binary.BigEndian.AppendUint64(out, MicrosFromTime(b.Expiration))
	return append(out, b.Data...)
}

// Query returns the DHT key of the block, SHA-512(zk').
func (b *Block) Query() Query { return QueryOf(b.DerivedKey) }

// signedMessage returns the bytes the block signature covers.
func signedMessage(expiration uint64, bdata []byte) []byte {
	msg := make([]byte, 0, 16+len(bdata))
	msg = binary.BigEndian.AppendUint32(msg, uint32(16+len(bdata)))
	msg = binary.BigEndian.AppendUint32(msg, signPurposeRecord)
	msg = binary.BigEndian.AppendUint64(msg, expiration)
	return append(msg, bdata...)
}

// Verify checks the block signature with zk' (RFC 9498, section "The
// Resource Record Block").
// It does not check the expiration, so compare Expiration with the time.
func (b *Block) Verify() error {
	msg := signedMessage(MicrosFromTime(b.Expiration), b.Data)
	if !b.DerivedKey.Verify(msg, b.Signature) {
		return fmt.Errorf("zone: %w: signature does not verify for derived key %x", ErrInvalidBlock, b.DerivedKey.key)
	}
	return nil
}

// Open decrypts BDATA with the keys for zone and label and returns RDATA
// (RFC 9498, section "Record Processing"). It checks that zk' is the key derived from
// zone and label, but not the signature: call Verify first when the block
// comes from the network.
func (b *Block) Open(zone PublicKey, label string) ([]byte, error) {
	label, err := NormalizeLabel(label)
	if err != nil {
		return nil, err
	}
	if zone.typ != b.DerivedKey.typ || zone.deriveNormalized(label) != b.DerivedKey {
		return nil, fmt.Errorf("zone: %w: zone %s, label %q", ErrWrongZone, zone, label)
	}
	keys := keysFor(zone, label, MicrosFromTime(b.Expiration))
	return keys.open(zone.typ, b.Data)
}

// SealBlock encrypts rdata for label and signs it with the key derived
// from priv (RFC 9498, section "The Resource Record Block"). The same
// key, label and expiration always give the same keystream, so a caller
// must never seal two different RDATA with the same expiration for one
// label. record.SealSet chooses expirations that way.
func SealBlock(priv *PrivateKey, label string, rdata []byte, expiration time.Time) (*Block, error) {
	label, err := NormalizeLabel(label)
	if err != nil {
		return nil, err
	}
	exp := MicrosFromTime(expiration)
	keys := keysFor(priv.pub, label, exp)
	blk := &Block{
		DerivedKey: priv.pub.deriveNormalized(label),
		Expiration: TimeFromMicros(exp),
		Data:       keys.seal(priv.typ, rdata),
	}
	if blk.Size() > MaxBlockSize {
		return nil, fmt.Errorf("zone: %w: sealed block has %d bytes, the maximum is %d", ErrInvalidBlock, blk.Size(), MaxBlockSize)
	}
	blk.Signature = priv.signDerived(label, signedMessage(exp, blk.Data))
	return blk, nil
}
