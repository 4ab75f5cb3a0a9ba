package zone

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
)

// gnunetKDF derives n bytes as GNUnet's GNUNET_CRYPTO_kdf does: HKDF
// (RFC 5869) with HMAC-SHA512 for the extract step and HMAC-SHA256 for the
// expand step. The info parameter is the concatenation of ctx.
func gnunetKDF(n int, salt, ikm []byte, ctx ...[]byte) []byte {
	mac := hmac.New(sha512.New, salt)
	mac.Write(ikm)
	prk := mac.Sum(nil)
	var info []byte
	for _, c := range ctx {
		info = append(info, c...)
	}
	out, err := hkdf.Expand(sha256.New, prk, string(info), n)
	if err != nil {
		// Only a length above 255*32 bytes fails, and callers ask for at most 64.
		panic("zone: hkdf expand: " + err.Error())
	}
	return out
}
