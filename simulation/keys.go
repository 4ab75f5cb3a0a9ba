package simulation

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/hush-overlay/hush/identity"
)

// peerKey derives peer index's identity key from the run's seed, so a run
// always has the same peer IDs and thus the same DHT key space layout.
func peerKey(seed uint64, index int) *identity.PrivateKey {
	h := sha256.New()
	h.Write([]byte("hush-sim-peer-key"))
	h.Write(binary.LittleEndian.AppendUint64(nil, seed))
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(index)))
	key, err := identity.NewKeyFromSeed(h.Sum(nil))
	if err != nil {
		panic("simulation: SHA-256 output is not a valid key seed: " + err.Error())
	}
	return key
}
