package interop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

// Message types of GNUnet's namecache client protocol (GNUnet 0.19,
// gnunet_protocols.h). A client sends LOOKUP_BLOCK with a request id and
// a block query. The service replies with LOOKUP_BLOCK_RESPONSE: the
// request id, the block expiration and the RRBLOCK exactly as the
// zonemaster stored it, or no block when it has none.
const (
	msgLookupBlock         = 431
	msgLookupBlockResponse = 432
)

// messageHeaderSize is the size of GNUnet's message header: the message
// size including the header and the message type, both 16-bit big-endian.
const messageHeaderSize = 4

// lookupBlockSize is the size of a LOOKUP_BLOCK message.
const lookupBlockSize = messageHeaderSize + 4 + zone.QuerySize

// responseHeaderSize is the size of a LOOKUP_BLOCK_RESPONSE without block.
const responseHeaderSize = messageHeaderSize + 4 + 8

// errNoBlock is returned when the namecache has no block for a query.
var errNoBlock = errors.New("interop: namecache has no block for the query")

// encodeLookupBlock returns a LOOKUP_BLOCK message.
func encodeLookupBlock(id uint32, q zone.Query) []byte {
	msg := binary.BigEndian.AppendUint16(nil, lookupBlockSize)
	msg = binary.BigEndian.AppendUint16(msg, msgLookupBlock)
	msg = binary.BigEndian.AppendUint32(msg, id)
	return append(msg, q[:]...)
}

// lookupResponse is a decoded LOOKUP_BLOCK_RESPONSE.
type lookupResponse struct {
	id         uint32
	expiration uint64 // microseconds since 1970, as the namecache stores it
	block      []byte // empty when the namecache has no block
}

// parseLookupResponse decodes one whole LOOKUP_BLOCK_RESPONSE message.
func parseLookupResponse(msg []byte) (lookupResponse, error) {
	if len(msg) < responseHeaderSize {
		return lookupResponse{}, fmt.Errorf("interop: namecache response has %d bytes, shorter than its %d-byte header", len(msg), responseHeaderSize)
	}
	if size := int(binary.BigEndian.Uint16(msg)); size != len(msg) {
		return lookupResponse{}, fmt.Errorf("interop: namecache response size field is %d, message has %d bytes", size, len(msg))
	}
	if typ := binary.BigEndian.Uint16(msg[2:]); typ != msgLookupBlockResponse {
		return lookupResponse{}, fmt.Errorf("interop: namecache response has message type %d, expected %d", typ, msgLookupBlockResponse)
	}
	return lookupResponse{
		id:         binary.BigEndian.Uint32(msg[4:]),
		expiration: binary.BigEndian.Uint64(msg[8:]),
		block:      append([]byte(nil), msg[responseHeaderSize:]...),
	}, nil
}

// readMessage reads one GNUnet message from r.
func readMessage(r io.Reader) ([]byte, error) {
	header := make([]byte, messageHeaderSize)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("interop: read message header: %w", err)
	}
	size := int(binary.BigEndian.Uint16(header))
	if size < messageHeaderSize {
		return nil, fmt.Errorf("interop: message size field is %d, less than the header", size)
	}
	msg := make([]byte, size)
	copy(msg, header)
	if _, err := io.ReadFull(r, msg[messageHeaderSize:]); err != nil {
		return nil, fmt.Errorf("interop: read %d-byte message: %w", size, err)
	}
	return msg, nil
}

// lookupBlock requests the block stored under q from the namecache
// service listening on the UNIX socket at path. The socket is a file, so
// the test reaches it from outside the peer's network namespace.
func lookupBlock(path string, q zone.Query, timeout time.Duration) (lookupResponse, error) {
	conn, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return lookupResponse{}, fmt.Errorf("interop: connect to namecache: %w", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return lookupResponse{}, err
	}
	const id = 7
	if _, err := conn.Write(encodeLookupBlock(id, q)); err != nil {
		return lookupResponse{}, fmt.Errorf("interop: send namecache lookup: %w", err)
	}
	msg, err := readMessage(conn)
	if err != nil {
		return lookupResponse{}, err
	}
	resp, err := parseLookupResponse(msg)
	if err != nil {
		return lookupResponse{}, err
	}
	if resp.id != id {
		return lookupResponse{}, fmt.Errorf("interop: namecache replied to request %d, expected %d", resp.id, id)
	}
	if len(resp.block) == 0 {
		return resp, errNoBlock
	}
	return resp, nil
}
