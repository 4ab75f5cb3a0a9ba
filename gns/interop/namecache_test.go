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

// Message types of GNUnet's namecache client protocol, as GNUnet 0.19.3's
// gnunet-namecache tool sends and receives them. A client sends
// LOOKUP_BLOCK with a request id and a block query. The service replies
// with LOOKUP_BLOCK_RESPONSE: the request id, the block expiration and the
// RRBLOCK exactly as the zonemaster stored it, or no block when it has
// none.
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

// Message types for storing a block in GNUnet 0.19.3's namecache.
// BLOCK_CACHE carries a request id, the block expiration and the RRBLOCK.
// BLOCK_CACHE_RESPONSE carries the request id and a 32-bit result, 1
// (GNUNET_OK) on success. In GNUnet 0.19.3 the namecache stores a block
// without checking its signature, and gnunet-service-gns checks it when it
// resolves.
const (
	msgBlockCache         = 433
	msgBlockCacheResponse = 434
)

// cacheResponseSize is the size of a BLOCK_CACHE_RESPONSE.
const cacheResponseSize = messageHeaderSize + 4 + 4

// gnunetOK is GNUnet's GNUNET_OK result code.
const gnunetOK = 1

// encodeBlockCache returns a BLOCK_CACHE message for block.
func encodeBlockCache(id uint32, expiration uint64, block []byte) []byte {
	msg := binary.BigEndian.AppendUint16(nil, uint16(messageHeaderSize+4+8+len(block)))
	msg = binary.BigEndian.AppendUint16(msg, msgBlockCache)
	msg = binary.BigEndian.AppendUint32(msg, id)
	msg = binary.BigEndian.AppendUint64(msg, expiration)
	return append(msg, block...)
}

// parseCacheResponse decodes a BLOCK_CACHE_RESPONSE into the request id
// and the result code.
func parseCacheResponse(msg []byte) (uint32, int32, error) {
	if len(msg) != cacheResponseSize {
		return 0, 0, fmt.Errorf("interop: namecache cache response has %d bytes, expected %d", len(msg), cacheResponseSize)
	}
	if size := int(binary.BigEndian.Uint16(msg)); size != len(msg) {
		return 0, 0, fmt.Errorf("interop: namecache cache response size field is %d, message has %d bytes", size, len(msg))
	}
	if typ := binary.BigEndian.Uint16(msg[2:]); typ != msgBlockCacheResponse {
		return 0, 0, fmt.Errorf("interop: namecache cache response has message type %d, expected %d", typ, msgBlockCacheResponse)
	}
	return binary.BigEndian.Uint32(msg[4:]), int32(binary.BigEndian.Uint32(msg[8:])), nil
}

// cacheBlock stores block in the namecache service listening on the UNIX
// socket at path. block must fit in one GNUnet message (64 KiB).
func cacheBlock(path string, expiration uint64, block []byte, timeout time.Duration) error {
	conn, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return fmt.Errorf("interop: connect to namecache: %w", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	const id = 9
	if _, err := conn.Write(encodeBlockCache(id, expiration, block)); err != nil {
		return fmt.Errorf("interop: send namecache block: %w", err)
	}
	msg, err := readMessage(conn)
	if err != nil {
		return err
	}
	gotID, result, err := parseCacheResponse(msg)
	if err != nil {
		return err
	}
	if gotID != id || result != gnunetOK {
		return fmt.Errorf("interop: namecache replied to request %d with result %d, expected request %d with %d", gotID, result, id, gnunetOK)
	}
	return nil
}
