package zone

import "crypto/ed25519"

// Verify reports whether sig is a valid signature of message by k. For a
// block, k is the derived key zk' that the block carries.
func (k PublicKey) Verify(message []byte, sig Signature) bool {
	switch k.typ {
	case TypePKEY:
		p := k.point()
		return p != nil && verifyECDSA(p, message, sig)
	case TypeEDKEY:
		return ed25519.Verify(k.key[:], message, sig[:])
	}
	return false
}
