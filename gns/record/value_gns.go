package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/identity"
)

// zoneKeyParser handles PKEY and EDKEY. The text is the zTLD of the
// delegated zone, whose type must match, and the data is its 32 key bytes.
func zoneKeyParser(t Type) func(string) ([]byte, error) {
	return func(text string) ([]byte, error) {
		k, err := zone.ParsePublicKey(text)
		if err != nil {
			return nil, err
		}
		if Type(k.Type()) != t {
			return nil, fmt.Errorf("zTLD is a %s zone key, not %s", k.Type(), t)
		}
		return k.Bytes(), nil
	}
}

func zoneKeyFormatter(t Type) func([]byte) (string, error) {
	return func(data []byte) (string, error) {
		k, err := zone.NewPublicKey(zone.KeyType(t), data)
		if err != nil {
			return "", err
		}
		return k.String(), nil
	}
}

// ZoneKey returns the delegated zone key of a PKEY or EDKEY record.
func (r Record) ZoneKey() (zone.PublicKey, error) {
	if !r.Type.IsDelegation() {
		return zone.PublicKey{}, fmt.Errorf("record: %s record is not a zone delegation", r.Type)
	}
	return zone.NewPublicKey(zone.KeyType(r.Type), r.Data)
}

// GNS2DNS: "NAME@SERVER". The data is NAME in DNS wire format (labels
// with a length byte each, then a zero byte) followed by SERVER as a
// zero-terminated UTF-8 string, the layout of GNUnet 0.19.3: it stores
// "example.org@192.0.2.53" as 07 "example" 03 "org" 00 "192.0.2.53" 00.
// SERVER is an IP address, a DNS name or a GNS name ending in "+". NAME
// ends at the first "@", as in GNUnet.
// NOTE: this layout is checked against GNUnet 0.19.3 only, not against
// the text of RFC 9498.
func parseGNS2DNS(text string) ([]byte, error) {
	name, server, ok := strings.Cut(text, "@")
	if !ok || name == "" || server == "" {
		return nil, errors.New(`expected "NAME@DNSSERVER" such as "example.com@192.0.2.53"`)
	}
	if err := checkGNS2DNSServer(server); err != nil {
		return nil, err
	}
	data, err := appendName(nil, name)
	if err != nil {
		return nil, err
	}
	if len(data) == 1 {
		return nil, errors.New("GNS2DNS name is the DNS root")
	}
	return append(append(data, server...), 0), nil
}

func formatGNS2DNS(data []byte) (string, error) {
	name, _, server, err := splitGNS2DNS(data)
	if err != nil {
		return "", err
	}
	return name + "@" + server, nil
}

// splitGNS2DNS returns the DNS name of GNS2DNS data, once as printed
// (Unicode labels) and once as DNS needs it (Punycode labels), and the
// server.
func splitGNS2DNS(data []byte) (name, ascii, server string, err error) {
	ascii, n, err := readASCIIName(data)
	if err != nil {
		return "", "", "", fmt.Errorf("GNS2DNS name: %w", err)
	}
	if ascii == "." {
		return "", "", "", errors.New("GNS2DNS name is the DNS root")
	}
	name, _, _ = readName(data) // cannot fail where readASCIIName succeeded
	if strings.Contains(name, "@") {
		return "", "", "", fmt.Errorf("GNS2DNS name %q contains '@'", name)
	}
	rest := data[n:]
	if len(rest) == 0 || rest[len(rest)-1] != 0 {
		return "", "", "", errors.New("GNS2DNS server is not terminated by a zero byte")
	}
	server = string(rest[:len(rest)-1])
	if server == "" {
		return "", "", "", errors.New("GNS2DNS server is empty")
	}
	if err := checkGNS2DNSServer(server); err != nil {
		return "", "", "", err
	}
	return name, ascii, server, nil
}

func checkGNS2DNSServer(server string) error {
	if !utf8.ValidString(server) || strings.ContainsRune(server, 0) {
		return fmt.Errorf("GNS2DNS server %q must be UTF-8 without NUL characters", server)
	}
	return nil
}

// GNS2DNS returns the DNS name and the DNS server of a GNS2DNS record.
// The name has Punycode ("xn--") labels where the text form shows
// Unicode, because it goes into DNS queries.
func (r Record) GNS2DNS() (name, server string, err error) {
	if r.Type != TypeGNS2DNS {
		return "", "", fmt.Errorf("record: %s record is not GNS2DNS", r.Type)
	}
	_, name, server, err = splitGNS2DNS(r.Data)
	if err != nil {
		return "", "", fmt.Errorf("record: %w: %w", ErrInvalidValue, err)
	}
	return name, server, nil
}

// VPN: "PROTO PEERID SERVICE", data the peer ID (32 bytes), the IP
// protocol number (be16) and the service name with a zero byte after it,
// as GNUnet's GNUNET_TUN_GnsVpnRecord.
func parseVPN(text string) ([]byte, error) {
	f := strings.Fields(text)
	if len(f) != 3 {
		return nil, errors.New(`expected "PROTO PEERID SERVICE"`)
	}
	proto, err := parseUint(f[0], 16, "protocol")
	if err != nil {
		return nil, err
	}
	peer, err := identity.ParsePeerID(f[1])
	if err != nil {
		return nil, err
	}
	data := binary.BigEndian.AppendUint16(peer[:], uint16(proto))
	return append(append(data, f[2]...), 0), nil
}

func formatVPN(data []byte) (string, error) {
	if len(data) < identity.PeerIDSize+2+2 || data[len(data)-1] != 0 {
		return "", errors.New("VPN data must be a peer ID, a protocol and a zero-terminated service name")
	}
	service := data[identity.PeerIDSize+2 : len(data)-1]
	if len(bytes.Fields(service)) != 1 || bytes.IndexByte(service, 0) >= 0 || len(bytes.TrimSpace(service)) != len(service) {
		return "", fmt.Errorf("VPN service name %q is empty or contains spaces or zero bytes", service)
	}
	peer, err := identity.ParsePeerID(identity.Base32Encode(data[:identity.PeerIDSize]))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %s %s", binary.BigEndian.Uint16(data[identity.PeerIDSize:]), peer, service), nil
}

// BOX: "PROTO SERVICE TYPE VALUE", data protocol (be16), service port
// (be16), record type (be32) and the boxed record's data (RFC 9498,
// section "BOX"). GNUnet prints TYPE as a number, and ParseValue also
// takes a name. A BOX inside a BOX is rejected.
func parseBOX(text string) ([]byte, error) {
	f := strings.SplitN(text, " ", 4)
	if len(f) == 3 {
		f = append(f, "") // an empty value, such as an empty TXT
	}
	if len(f) != 4 {
		return nil, errors.New(`expected "PROTO SERVICE TYPE VALUE" such as "6 443 52 3 0 1 ABCD"`)
	}
	box, err := parseBoxHeader(f[0], f[1], f[2])
	if err != nil {
		return nil, err
	}
	value, err := ParseValue(box.Type, f[3])
	if err != nil {
		return nil, err
	}
	data := binary.BigEndian.AppendUint16(nil, box.Protocol)
	data = binary.BigEndian.AppendUint16(data, box.Service)
	data = binary.BigEndian.AppendUint32(data, uint32(box.Type))
	return append(data, value...), nil
}

func parseBoxHeader(proto, service, typ string) (Box, error) {
	p, err := parseUint(proto, 16, "protocol")
	if err != nil {
		return Box{}, err
	}
	s, err := parseUint(service, 16, "service port")
	if err != nil {
		return Box{}, err
	}
	t, err := boxedType(typ)
	if err != nil {
		return Box{}, err
	}
	return Box{Protocol: uint16(p), Service: uint16(s), Type: t}, nil
}

func boxedType(s string) (Type, error) {
	t, err := TypeByName(s)
	if n, numErr := parseUint(s, 32, "record type"); numErr == nil {
		t, err = Type(n), nil
	}
	if err != nil {
		return 0, err
	}
	if t == TypeBOX {
		return 0, errors.New("a BOX record cannot contain a BOX record")
	}
	return t, nil
}

func formatBOX(data []byte) (string, error) {
	box, err := parseBox(data)
	if err != nil {
		return "", err
	}
	value, err := FormatValue(box.Type, box.Data)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d %d %d %s", box.Protocol, box.Service, uint32(box.Type), value), nil
}

// Box is the content of a BOX record: a record for one protocol and
// service port, such as an SRV or TLSA record for "_443._tcp".
type Box struct {
	Protocol uint16 // IP protocol number, 6 for TCP and 17 for UDP
	Service  uint16 // port number
	Type     Type
	Data     []byte
}

// Box returns the content of a BOX record.
func (r Record) Box() (Box, error) {
	if r.Type != TypeBOX {
		return Box{}, fmt.Errorf("record: %s record is not a BOX", r.Type)
	}
	b, err := parseBox(r.Data)
	if err != nil {
		return Box{}, fmt.Errorf("record: %w: %w", ErrInvalidValue, err)
	}
	return b, nil
}

func parseBox(data []byte) (Box, error) {
	if len(data) < 8 {
		return Box{}, fmt.Errorf("BOX data has %d bytes, expected at least 8", len(data))
	}
	be := binary.BigEndian
	b := Box{Protocol: be.Uint16(data), Service: be.Uint16(data[2:]), Type: Type(be.Uint32(data[4:])), Data: data[8:]}
	if b.Type == TypeBOX {
		return Box{}, errors.New("a BOX record cannot contain a BOX record")
	}
	return b, nil
}
