package record

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// maxNameSize is the DNS limit on a name's text length.
const maxNameSize = 253

// appendName appends name in the uncompressed DNS wire format that
// GNUnet uses in record data: labels with a length byte each, then a
// zero byte. Non-ASCII labels are converted to Punycode ("xn--"), as
// GNUnet does with IDNA. A trailing dot is ignored.
func appendName(dst []byte, name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".")
	ascii, err := idna.Punycode.ToASCII(name)
	if err != nil {
		return nil, fmt.Errorf("name %q: %w", name, err)
	}
	if len(ascii) > maxNameSize {
		return nil, fmt.Errorf("name %q has %d characters, the maximum is %d", name, len(ascii), maxNameSize)
	}
	if ascii == "" {
		return append(dst, 0), nil
	}
	for _, label := range strings.Split(ascii, ".") {
		if err := checkWireLabel(label); err != nil {
			return nil, fmt.Errorf("name %q: %w", name, err)
		}
		dst = append(dst, byte(len(label)))
		dst = append(dst, label...)
	}
	return append(dst, 0), nil
}

// readName decodes a DNS name at the start of data and returns it and the
// number of bytes it used. The root name is returned as ".". Compression pointers are rejected, because
// record data is never compressed.
func readName(data []byte) (string, int, error) {
	var labels []string
	off := 0
	for {
		if off >= len(data) {
			return "", 0, errors.New("name is not terminated by a zero byte")
		}
		n := int(data[off])
		off++
		if n == 0 {
			break
		}
		if n > 63 || off+n > len(data) {
			return "", 0, fmt.Errorf("label length %d at offset %d is invalid", n, off-1)
		}
		label := string(data[off : off+n])
		if err := checkWireLabel(label); err != nil {
			return "", 0, err
		}
		labels = append(labels, unicodeLabel(label))
		off += n
	}
	name := strings.Join(labels, ".")
	if name == "" {
		name = "." // the root, as DNS writes it, for example an SRV target meaning "no service"
	}
	if off-1 > maxNameSize+1 {
		return "", 0, fmt.Errorf("name has %d bytes, the maximum is %d", off, maxNameSize+2)
	}
	return name, off, nil
}

// checkWireLabel accepts labels of 1 to 63 printable ASCII characters
// other than space and dot.
func checkWireLabel(label string) error {
	if label == "" || len(label) > 63 {
		return fmt.Errorf("label %q must have 1 to 63 characters", label)
	}
	for i := 0; i < len(label); i++ {
		if c := label[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return fmt.Errorf("label %q contains the invalid byte 0x%02x", label, c)
		}
	}
	return nil
}

// unicodeLabel turns a Punycode label back into Unicode when the
// conversion round-trips exactly, and keeps it as it is otherwise.
func unicodeLabel(label string) string {
	if !strings.HasPrefix(strings.ToLower(label), "xn--") {
		return label
	}
	u, err := idna.Punycode.ToUnicode(label)
	if err != nil || strings.Contains(u, ".") {
		return label
	}
	if back, err := idna.Punycode.ToASCII(u); err != nil || back != label {
		return label
	}
	return u
}
