package zone

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/nacl/secretbox"
)

// ErrDecrypt is wrapped by errors from Block.Open when BDATA does not
// decrypt, which for EDKEY means the Poly1305 tag did not verify.
var ErrDecrypt = errors.New("block does not decrypt")

// secretboxOverhead is the Poly1305 tag that EDKEY blocks put in front
// of the ciphertext.
const secretboxOverhead = secretbox.Overhead

// blockKeys holds the symmetric key and nonce for one zone key, label and
// block expiration (RFC 9498, sections "PKEY" and "EDKEY").
type blockKeys struct {
	key   [32]byte
	nonce []byte // AES-CTR initial counter block (PKEY) or XSalsa20 nonce (EDKEY)
}

// keysFor derives K and the nonce from the zone key zk (not the derived
// key) and the normalised label. PKEY uses a 4-byte KDF nonce, then the
// expiration, then a 32-bit block counter starting at 1. EDKEY uses a
// 16-byte KDF nonce, then the expiration.
func keysFor(zk PublicKey, label string, expiration uint64) blockKeys {
	var k blockKeys
	if zk.typ == TypePKEY {
		copy(k.key[:], gnunetKDF(32, []byte("gns-aes-ctx-key"), zk.key[:], []byte(label)))
		k.nonce = gnunetKDF(4, []byte("gns-aes-ctx-iv"), zk.key[:], []byte(label))
		k.nonce = binary.BigEndian.AppendUint64(k.nonce, expiration)
		k.nonce = binary.BigEndian.AppendUint32(k.nonce, 1)
		return k
	}
	copy(k.key[:], gnunetKDF(32, []byte("gns-xsalsa-ctx-key"), zk.key[:], []byte(label)))
	k.nonce = gnunetKDF(16, []byte("gns-xsalsa-ctx-iv"), zk.key[:], []byte(label))
	k.nonce = binary.BigEndian.AppendUint64(k.nonce, expiration)
	return k
}

func (k blockKeys) seal(typ KeyType, rdata []byte) []byte {
	if typ == TypePKEY {
		return k.ctr(rdata)
	}
	return secretbox.Seal(nil, rdata, (*[24]byte)(k.nonce), &k.key)
}

func (k blockKeys) open(typ KeyType, bdata []byte) ([]byte, error) {
	if typ == TypePKEY {
		return k.ctr(bdata), nil
	}
	rdata, ok := secretbox.Open(nil, bdata, (*[24]byte)(k.nonce), &k.key)
	if !ok {
		return nil, fmt.Errorf("zone: %w: EDKEY authentication tag is invalid", ErrDecrypt)
	}
	return rdata, nil
}

func (k blockKeys) ctr(in []byte) []byte {
	block, err := aes.NewCipher(k.key[:])
	if err != nil {
		panic("zone: aes with a 32-byte key: " + err.Error()) // the key size is fixed
	}
	out := make([]byte, len(in))
	cipher.NewCTR(block, k.nonce).XORKeyStream(out, in)
	return out
}
