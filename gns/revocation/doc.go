// Package revocation implements GNS zone revocation (RFC 9498, section
// "Zone Revocation"): a message, signed with the zone key, that declares the zone
// revoked, together with a proof of work that makes revocations costly
// to flood.
//
// A proof is laid out as follows, integers big-endian:
//
//	0           8           16                          272
//	+-----------+-----------+---------- ... ------------+
//	| TIMESTAMP | TTL       | POW[0] .. POW[31] (8 each) |
//	+-----------+-----------+---------- ... ------------+
//	| ZTYPE (4) | ZKEY (32)             | SIGNATURE (64) |
//	+-----------+-----------------------+----------------+
//
// TIMESTAMP is in microseconds since 1970-01-01 UTC and TTL in
// microseconds. The signature covers SIZE (52) || PURPOSE (3, GNUnet's
// GNS_REVOCATION) || TIMESTAMP || ZTYPE || ZKEY. Each POW value is hashed
// with Argon2id together with TIMESTAMP and the zone ID, and the proof
// is scored by the average number of leading zero bits of those hashes.
package revocation
