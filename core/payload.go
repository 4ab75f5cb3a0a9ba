package core

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/hush-overlay/hush/hello"
)

// Handshake payloads. Both ride encrypted inside the Noise IK messages.
//
// First message (initiator to responder):
//
//	+--------------------------------------------+
//	| timestamp (uint64 BE, µs since 1970 UTC)   |
//	+--------------------------------------------+
//	| initiator's signed HELLO (rest of payload) |
//	+--------------------------------------------+
//
// Second message (responder to initiator): the responder's signed HELLO and
// nothing else.
const timestampSize = 8

// maxTimestampMicros keeps decoded timestamps inside time.Time's range.
const maxTimestampMicros = 1 << 62

var errPayload = errors.New("core: malformed handshake payload")

// initPayload is the first handshake message's payload.
type initPayload struct {
	Sent  time.Time // truncated to microseconds
	Hello []byte    // the encoded HELLO, parsed and verified separately
}

func (p initPayload) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(p.Sent.UnixMicro()))
	return append(b, p.Hello...)
}

// parseInitPayload splits a first-message payload. It checks the framing
// only; the HELLO is checked by the caller.
func parseInitPayload(b []byte) (initPayload, error) {
	if len(b) < timestampSize+1 {
		return initPayload{}, fmt.Errorf("%w: %d bytes, need a timestamp and a HELLO", errPayload, len(b))
	}
	micros := binary.BigEndian.Uint64(b)
	if micros > maxTimestampMicros {
		return initPayload{}, fmt.Errorf("%w: timestamp out of range", errPayload)
	}
	if len(b)-timestampSize > hello.MaxSize {
		return initPayload{}, fmt.Errorf("%w: HELLO of %d bytes, at most %d allowed", errPayload, len(b)-timestampSize, hello.MaxSize)
	}
	return initPayload{Sent: time.UnixMicro(int64(micros)).UTC(), Hello: b[timestampSize:]}, nil
}
