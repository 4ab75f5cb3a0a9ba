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
// number of bytes it used. Punycode labels are returned in Unicode, as
// GNUnet prints them, and the root name as ".".
func readName(data []byte) (string, int, error) {
	ascii, n, err := readASCIIName(data)
	if err != nil || ascii == "." {
		return ascii, n, err
	}
	labels := strings.Split(ascii, ".") // checkWireLabel keeps dots out of labels
	for i, label := range labels {
		labels[i] = unicodeLabel(label)
	}
	return strings.Join(labels, "."), n, nil
}

// readASCIIName decodes a DNS name like readName but keeps Punycode
// labels as they are, the form DNS queries need. Compression pointers are
// rejected, because record data is never compressed.
func readASCIIName(data []byte) (string, int, error) {
	var labels []string
	off := 0
	for {
		label, next, err := readLabel(data, off)
		if err != nil {
			return "", 0, err
		}
		off = next
		if label == "" {
			break
		}
		labels = append(labels, label)
	}
	if off > maxNameSize+2 {
		return "", 0, fmt.Errorf("name has %d bytes, the maximum is %d", off, maxNameSize+2)
	}
	if len(labels) == 0 {
		return ".", off, nil // the root, for example an SRV target meaning "no service"
	}
	return strings.Join(labels, "."), off, nil
}

// readLabel reads the label that starts at off and returns it and the
// offset after it. The empty label ends the name.
func readLabel(data []byte, off int) (string, int, error) {
	if off >= len(data) {
		return "", 0, errors.New("name is not terminated by a zero byte")
	}
	n := int(data[off])
	if n == 0 {
		return "", off + 1, nil
	}
	if n > 63 || off+1+n > len(data) {
		return "", 0, fmt.Errorf("label length %d at offset %d is invalid", n, off)
	}
	label := string(data[off+1 : off+1+n])
	if err := checkWireLabel(label); err != nil {
		return "", 0, err
	}
	return label, off + 1 + n, nil
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
