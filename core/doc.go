// Package core turns transport connections into authenticated, encrypted
// links between neighbouring peers and multiplexes services over them.
//
// # Handshake
//
// A link starts with a Noise IK handshake (Noise_IK_25519_ChaChaPoly_BLAKE2b,
// prologue "hush-core/1"). The responder's static key is the X25519 form of
// its Ed25519 peer ID, so knowing a peer ID is enough to dial. The first
// message carries the initiator's clock and its signed HELLO, and the
// responder checks that the HELLO's peer ID is the initiator's static key.
// The second message carries the responder's HELLO.
//
// # Silence
//
// A listener writes no byte until a first message decrypts for its key,
// carries a timestamp within Config.ClockSkew of its clock, is not a replay
// (a bounded cache of first-message ephemeral keys) and carries a valid,
// current HELLO. Every failure, including a valid message that CORE declines
// because of its link limit, is handled the same way: the connection is
// Discard()ed and closed normally at accept + Config.HandshakeTimeout, and
// the failure is counted by class in Stats.ProbesDropped.
//
// # Links
//
// After the handshake each transport frame is one AEAD-sealed batch of
// service messages with an explicit nonce, so a lossy transport drops
// frames without breaking later ones (see frame.go for the layout). Each
// direction rekeys after Config.RekeyFrames frames or Config.RekeyInterval.
// An idle link sends a keepalive every Config.KeepaliveInterval, and a link
// that received nothing for Config.DeadTimeout is dropped. Close sends a
// close message so the peer drops the link at once.
//
// One link per peer pair: when both peers dial each other at the same time,
// the link dialled by the lower peer ID (byte order) is kept. Apart from
// that race, a new handshake from a peer replaces its older link, so a peer
// that restarted reconnects at once.
//
// # Threading
//
// Core is a sans-IO state machine. Every method runs on the peer's loop
// (loop.Env), time comes from Env.Now and Env.After, and randomness from
// Env.Rand, so a loop.Sim run is reproducible from its seed.
package core
