package wire

import (
	"crypto/ed25519"

	"github.com/hush-overlay/hush/identity"
)

// PathEntry is one hop of a recorded route: the hop's peer and its Ed25519
// signature over (expiry, block hash, predecessor, successor), which the dht
// package builds and checks.
type PathEntry struct {
	Peer      identity.PeerID
	Signature [ed25519.SignatureSize]byte
}

// PathEntrySize is the encoded size of a PathEntry.
const PathEntrySize = identity.PeerIDSize + ed25519.SignatureSize

// maxPathEntries bounds a path so that its length fits a uint16 and the
// message fits core.MaxMessageSize.
const maxPathEntries = 64 * 1024 / PathEntrySize

func appendPath(b []byte, path []PathEntry) []byte {
	for _, e := range path {
		b = append(b, e.Peer[:]...)
		b = append(b, e.Signature[:]...)
	}
	return b
}

func (r *reader) path(n int, what string) []PathEntry {
	raw := r.take(n*PathEntrySize, what)
	if raw == nil || n == 0 {
		return nil
	}
	out := make([]PathEntry, n)
	for i := range out {
		e := raw[i*PathEntrySize:]
		copy(out[i].Peer[:], e)
		copy(out[i].Signature[:], e[identity.PeerIDSize:])
	}
	return out
}
