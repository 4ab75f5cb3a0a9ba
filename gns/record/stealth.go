package record

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hush-overlay/hush/identity"
)

// StealthSecretSize is the size of a stealth port's secret in bytes.
const StealthSecretSize = 32

// maxStealthPortSize bounds the port name in a STEALTH record.
const maxStealthPortSize = 255

// Stealth is the value of a STEALTH record: where a hush stealth port
// listens and the secret that opens it.
//
// Data layout: peer ID (32 bytes), secret (32 bytes), then the port name
// as UTF-8 (1 to 255 bytes, without spaces or control characters). The
// text form is "PEERID PORTNAME SECRET", the secret in 64 hex digits.
type Stealth struct {
	Peer   identity.PeerID
	Port   string
	Secret [StealthSecretSize]byte
}

// String returns the text form with the secret left out, so that the
// value can be logged.
func (s Stealth) String() string { return s.Peer.String() + " " + s.Port + " <secret>" }

// Marshal encodes s as STEALTH record data.
func (s Stealth) Marshal() ([]byte, error) {
	if err := checkStealthPort(s.Port); err != nil {
		return nil, fmt.Errorf("record: %w: STEALTH port: %w", ErrInvalidValue, err)
	}
	data := append(s.Peer[:], s.Secret[:]...)
	return append(data, s.Port...), nil
}

// ParseStealth decodes STEALTH record data.
func ParseStealth(data []byte) (Stealth, error) {
	const fixed = identity.PeerIDSize + StealthSecretSize
	if len(data) <= fixed {
		return Stealth{}, fmt.Errorf("record: %w: STEALTH data has %d bytes, expected more than %d", ErrInvalidValue, len(data), fixed)
	}
	var s Stealth
	copy(s.Peer[:], data)
	copy(s.Secret[:], data[identity.PeerIDSize:])
	s.Port = string(data[fixed:])
	if err := checkStealthPort(s.Port); err != nil {
		return Stealth{}, fmt.Errorf("record: %w: STEALTH port: %w", ErrInvalidValue, err)
	}
	return s, nil
}

func checkStealthPort(port string) error {
	if port == "" || len(port) > maxStealthPortSize || !utf8.ValidString(port) {
		return fmt.Errorf("port name %q must be 1 to %d bytes of UTF-8", port, maxStealthPortSize)
	}
	for _, r := range port {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("port name %q contains a space or control character", port)
		}
	}
	return nil
}

func parseStealthText(text string) ([]byte, error) {
	f := strings.Fields(text)
	if len(f) != 3 {
		return nil, errors.New(`expected "PEERID PORTNAME SECRET" with a 64-digit hex secret`)
	}
	peer, err := identity.ParsePeerID(f[0])
	if err != nil {
		return nil, err
	}
	secret, err := hex.DecodeString(f[2])
	if err != nil || len(secret) != StealthSecretSize {
		return nil, fmt.Errorf("secret must be %d hex digits", 2*StealthSecretSize)
	}
	s := Stealth{Peer: peer, Port: f[1], Secret: [StealthSecretSize]byte(secret)}
	return s.Marshal()
}

func formatStealthText(data []byte) (string, error) {
	s, err := ParseStealth(data)
	if err != nil {
		return "", err
	}
	if _, err := identity.ParsePeerID(s.Peer.String()); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %s %x", s.Peer, s.Port, s.Secret), nil
}
