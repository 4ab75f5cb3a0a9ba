package simulation

import (
	"crypto/sha512"
	"time"

	"github.com/hush-overlay/hush/core"
	"github.com/hush-overlay/hush/dht/block"
	"github.com/hush-overlay/hush/dht/wire"
	"github.com/hush-overlay/hush/identity"
)

// simBlockType is the block type of the DHT workload, outside the range of
// types hush's own services use.
const simBlockType block.Type = 0x53494d00 // "SIM\0"

// simPlugin validates workload blocks: content-addressed data of 1 to
// dhtBlockSize bytes stored under its SHA-512, so any peer can tell a
// forged block from a real one.
type simPlugin struct{}

func (simPlugin) Type() block.Type           { return simBlockType }
func (simPlugin) CheckQuery(block.Key) error { return nil }
func (simPlugin) Unique() bool               { return true }

func (simPlugin) DeriveKey(data []byte) (block.Key, error) { return sha512.Sum512(data), nil }
func (simPlugin) FilterKey(data []byte) [64]byte           { return sha512.Sum512(data) }

func (simPlugin) Validate(key block.Key, data []byte, _ time.Time) (block.Info, error) {
	if len(data) == 0 || len(data) > dhtBlockSize || sha512.Sum512(data) != key {
		return block.Info{}, block.ErrInvalidBlock
	}
	var id [32]byte
	copy(id[:], key[:])
	return block.Info{Identity: id}, nil
}

// maliciousDHT takes a DHT's place on a malicious peer. In MaliciousDrop
// mode it drops every message. In MaliciousInvalid mode it also replies to
// every GET for a workload block with a forged block under the requested
// key, which honest peers must reject.
type maliciousDHT struct {
	w       *world
	p       *peer
	service core.Service
}

func (w *world) maliciousHandler(p *peer, s core.Service) core.Handler {
	return &maliciousDHT{w: w, p: p, service: s}
}

func (m *maliciousDHT) LinkUp(identity.PeerID)   {}
func (m *maliciousDHT) LinkDown(identity.PeerID) {}

func (m *maliciousDHT) Receive(from identity.PeerID, msg []byte) {
	if m.w.cfg.MaliciousMode != MaliciousInvalid {
		return
	}
	get, err := wire.ParseGet(msg)
	if err != nil || block.Type(get.BlockType) != simBlockType {
		return
	}
	forged := &wire.Result{
		BlockType: uint32(simBlockType),
		Expires:   wire.MicrosToTime(wire.TimeToMicros(m.p.env.Now().Add(time.Hour))),
		QueryKey:  get.Key,
		BlockKey:  get.Key,
		Block:     make([]byte, dhtBlockSize),
	}
	m.p.env.Rand().Read(forged.Block)
	m.p.core.Send(from, m.service, forged.Append(nil))
}
