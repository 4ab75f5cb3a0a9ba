package core

import (
	"errors"
	"fmt"
	"io"

	"github.com/flynn/noise"

	"github.com/hush-overlay/hush/identity"
)

// keySize is the size of X25519 scalars, public keys and shared secrets.
const keySize = 32

// maxKeyCacheEntries bounds each of the keyring's caches. When a cache is
// full it is cleared, which costs a few extra scalar multiplications and
// nothing else.
const maxKeyCacheEntries = 4096

var errKeySize = errors.New("core: X25519 key must be 32 bytes")

// keyring holds this peer's clamped static X25519 scalar and caches what
// repeated handshakes with the same peers would otherwise recompute: the
// X25519 form of peer IDs and the static-static shared secrets. It is owned
// by the loop.
type keyring struct {
	static    [keySize]byte
	staticKey noise.DHKey
	// shared maps a remote static public key to DH(our static, it).
	shared map[[keySize]byte][keySize]byte
	// montgomery maps a peer ID to its X25519 public key.
	montgomery map[identity.PeerID][keySize]byte
}

func newKeyring(key *identity.PrivateKey) (*keyring, error) {
	raw := key.X25519()
	static := clampScalar(raw)
	public, err := x25519Public(&static)
	if err != nil {
		return nil, fmt.Errorf("core: static key: %w", err)
	}
	return &keyring{
		static:     static,
		staticKey:  noise.DHKey{Private: raw, Public: public},
		shared:     make(map[[keySize]byte][keySize]byte),
		montgomery: make(map[identity.PeerID][keySize]byte),
	}, nil
}

// peerStatic returns the X25519 public key of peer, the responder static key
// an initiator must use.
func (k *keyring) peerStatic(peer identity.PeerID) ([keySize]byte, error) {
	if x, ok := k.montgomery[peer]; ok {
		return x, nil
	}
	raw, err := peer.X25519()
	if err != nil {
		return [keySize]byte{}, err
	}
	if len(k.montgomery) >= maxKeyCacheEntries {
		clear(k.montgomery)
	}
	x := [keySize]byte(raw)
	k.montgomery[peer] = x
	return x, nil
}

// remember caches the static-static secret with remote once a handshake has
// proved remote to be a static key (and not an ephemeral one).
func (k *keyring) remember(s *dhSession, remote []byte) {
	for _, r := range s.staticResults[:s.results] {
		if string(r.pub[:]) != string(remote) {
			continue
		}
		if len(k.shared) >= maxKeyCacheEntries {
			clear(k.shared)
		}
		k.shared[r.pub] = r.out
	}
}

// dhSession is the noise.DHFunc of one handshake. flynn/noise's stock
// DH25519 goes through crypto/ecdh, which derives the public key of the
// private key on every DH: two scalar multiplications per DH. dhSession
// keeps clamped scalars, so a DH costs one multiplication, an ephemeral key
// costs one fast fixed-base multiplication, and the static-static DH of a
// known pair costs none. Ephemeral scalars are read from the Config's
// Random reader, so a simulation stays deterministic.
type dhSession struct {
	keys          *keyring
	ephemeral     [keySize]byte
	ephemeralRaw  []byte
	staticResults [2]dhResult
	results       int
}

type dhResult struct {
	pub, out [keySize]byte
}

var _ noise.DHFunc = (*dhSession)(nil)

// GenerateKeypair makes the handshake's ephemeral key from random.
func (s *dhSession) GenerateKeypair(random io.Reader) (noise.DHKey, error) {
	raw := make([]byte, keySize)
	if _, err := io.ReadFull(random, raw); err != nil {
		return noise.DHKey{}, fmt.Errorf("core: ephemeral key: %w", err)
	}
	s.ephemeral, s.ephemeralRaw = clampScalar(raw), raw
	public, err := x25519Public(&s.ephemeral)
	if err != nil {
		return noise.DHKey{}, fmt.Errorf("core: ephemeral key: %w", err)
	}
	return noise.DHKey{Private: raw, Public: public}, nil
}

// DH computes X25519(private, public). It fails on a low-order public key,
// whose shared secret is all zeros.
func (s *dhSession) DH(private, public []byte) ([]byte, error) {
	if len(private) != keySize || len(public) != keySize {
		return nil, errKeySize
	}
	switch {
	case sameBytes(private, s.ephemeralRaw):
		return x25519(&s.ephemeral, public)
	case sameBytes(private, s.keys.staticKey.Private):
		return s.staticDH(public)
	}
	scalar := clampScalar(private)
	return x25519(&scalar, public)
}

func (s *dhSession) staticDH(public []byte) ([]byte, error) {
	pub := [keySize]byte(public)
	if out, ok := s.keys.shared[pub]; ok {
		return out[:], nil
	}
	out, err := x25519(&s.keys.static, public)
	if err != nil {
		return nil, err
	}
	if s.results < len(s.staticResults) {
		s.staticResults[s.results] = dhResult{pub: pub, out: [keySize]byte(out)}
		s.results++
	}
	return out, nil
}

func (*dhSession) DHLen() int     { return keySize }
func (*dhSession) DHName() string { return "25519" }

// sameBytes reports whether a and b are the same memory, which is how DH
// recognises the key slices it handed to flynn/noise.
func sameBytes(a, b []byte) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}
