// Package zone implements the cryptography of GNS zones as RFC 9498 and
// GNUnet 0.19 define it. It covers zone keys of the two zone types (PKEY
// and EDKEY), key blinding per label and storage queries. It also builds
// and opens the signed, encrypted resource record blocks (RRBLOCK) that
// peers store in the DHT.
//
// A zone key is identified by its zone type and 32 key bytes. The zone ID
// is the 4-byte big-endian zone type followed by the key, and the zTLD is
// the Base32GNS encoding of the zone ID (RFC 9498, section "Zone Top-Level Domains").
//
// Blinding (RFC 9498, sections "PKEY" and "EDKEY") turns the zone key zk and a label into
// a derived key zk' = (h mod L)·zk with
//
//	h = HKDF(salt "key-derivation", ikm zk, info label || "gns"), 64 bytes
//
// where HKDF extracts with HMAC-SHA512 and expands with HMAC-SHA256, as
// GNUnet's KDF does. Only the zone owner can sign for zk'. Anyone who has
// zk and the label can find the block (query q = SHA-512(zk')) and
// decrypt it. Without both, a peer that stores the block can neither read
// it nor link it to the zone.
//
// An RRBLOCK (RFC 9498, section "The Resource Record Block") is laid out as follows, integers
// big-endian:
//
//	0       4       8                               40
//	+-------+-------+-------------------------------+
//	| SIZE  | ZTYPE |  ZKEY' (derived key, 32)      |
//	+-------+-------+-------------------------------+
//	|  SIGNATURE (64)                               |
//	+-----------------------------------------------+
//	| EXPIRATION (8, microseconds since 1970 UTC)   |
//	+-----------------------------------------------+
//	| BDATA (encrypted RDATA, variable)             |
//	+-----------------------------------------------+
//
// SIZE counts the whole block. The signature covers
// be32(16+len(BDATA)) || be32(15) || EXPIRATION || BDATA, which is GNUnet's
// signature purpose GNS_RECORD_SIGN.
package zone
