// Package wire encodes and parses CADET's messages.
//
// Every CADET message sent over a CORE link starts with a one-byte type.
// Connection messages (types 0x01 to 0x0f) are the only ones a relay reads;
// all but CREATE carry only the connection ID and opaque bytes:
//
//	CREATE      | 0x01 | cid [16] | hops u8 | hops × peer ID [32] |
//	CREATE_ACK  | 0x02 | cid [16] |
//	BROKEN      | 0x03 | cid [16] |
//	DESTROY     | 0x04 | cid [16] |
//	KEEPALIVE   | 0x05 | cid [16] |
//	KX_INIT     | 0x06 | cid [16] | Noise IK message 1 ... |
//	KX_RESPONSE | 0x07 | cid [16] | Noise IK message 2 ... |
//	TUNNEL_DATA | 0x08 | cid [16] | ratchet header and ciphertext ... |
//
// A CREATE's path lists every peer from the initiator (first) to the
// target (last), so each relay finds its neighbours on the path.
//
// Tunnel messages (types 0x20 and up) travel only inside TUNNEL_DATA, after
// the double ratchet has decrypted them, so relays never see them:
//
//	CHANNEL_OPEN     | 0x20 | ctn u32 | options u8 | port hash [32] | T u64 | nonce [16] | AV [32] | payload ... |
//	CHANNEL_OPEN_ACK | 0x21 | ctn u32 | window end u32 |
//	CHANNEL_DATA     | 0x22 | ctn u32 | seq u32 | flags u8 | payload ... |
//	CHANNEL_ACK      | 0x23 | ctn u32 | cumulative ack u32 | SACK u64 | window end u32 | flags u8 |
//	CHANNEL_DESTROY  | 0x24 | ctn u32 |
//	TUNNEL_KEEPALIVE | 0x25 |
//
// The Noise handshake payloads have their own layouts:
//
//	KX_INIT payload     | initiator clock, Unix nanoseconds u64 |
//	KX_RESPONSE payload | responder ratchet public key [32] |
//
// Integers are big-endian. Each message has its own file with its parse
// function, its Append method and its size.
package wire
