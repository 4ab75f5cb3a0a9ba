package namestore

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"github.com/hush-overlay/hush/gns"
	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
)

// The zone text format of Import and Export has one record per line:
//
//	LABEL  TYPE  EXPIRATION  FLAGS  VALUE
//
// separated by spaces or tabs. VALUE is the rest of the line, so it may
// contain spaces, and is written as gnunet-namestore prints values (see
// record.ParseValue). EXPIRATION is "never", an RFC 3339 time or a
// duration from publication such as "1d" (see gns.ParseExpiration). FLAGS
// is "-" or a comma-separated list of private, shadow, supplemental and
// critical. "@" is the zone apex. Blank lines and lines starting with "#"
// are ignored. Example:
//
//	www   A     1d     -                 192.0.2.1
//	@     TXT   never  private,critical  hello world

// maxZoneFileLine bounds one line, which is enough for the largest record
// data in hex plus the other fields.
const maxZoneFileLine = 2*record.MaxDataSize + 1024

// ImportOptions controls Import.
type ImportOptions struct {
	// Replace deletes every label of the zone that the import does not
	// contain and replaces the record sets of those it does. Without
	// Replace, imported records are added to the existing ones.
	Replace bool
}

// ParseZoneFile reads the zone text format into record sets by label, in
// order of first appearance. Errors name the line and the field.
func ParseZoneFile(r io.Reader) ([]LabelSet, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxZoneFileLine)
	var sets []LabelSet
	index := make(map[string]int)
	for lineNo := 1; sc.Scan(); lineNo++ {
		label, rec, ok, err := parseZoneLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("namestore: line %d: %w", lineNo, err)
		}
		if !ok {
			continue
		}
		i, seen := index[label]
		if !seen {
			i = len(sets)
			index[label] = i
			sets = append(sets, LabelSet{Label: label})
		}
		sets[i].Records = append(sets[i].Records, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("namestore: read zone file: %w", err)
	}
	return sets, nil
}

// parseZoneLine parses one line; ok is false for blank and comment lines.
func parseZoneLine(line string) (label string, rec Record, ok bool, err error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", Record{}, false, nil
	}
	fields := strings.Fields(line)
	if len(fields) < 5 {
		return "", Record{}, false, fmt.Errorf("expected LABEL TYPE EXPIRATION FLAGS VALUE, found %d fields", len(fields))
	}
	label, err = gns.NormalizeLabel(fields[0])
	if err != nil {
		return "", Record{}, false, fmt.Errorf("label: %w", err)
	}
	value := valueField(line)
	rec, err = gns.ParseRecord(fields[1], value, fields[2], fields[3])
	return label, rec, err == nil, err
}

// valueField returns the text after the fourth field. Fields are split at
// the same white space as strings.Fields splits them, so the caller's
// check for five fields guarantees four separators.
func valueField(line string) string {
	rest := line
	for range 4 {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		i := strings.IndexFunc(rest, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return strings.TrimSpace(rest)
}

// Import reads a zone file and stores its records in zone zk in one
// transaction: when any line or any resulting record set is invalid,
// nothing changes.
func (s *Store) Import(zk zone.PublicKey, r io.Reader, opts ImportOptions) error {
	sets, err := ParseZoneFile(r)
	if err != nil {
		return err
	}
	return s.update(zk, func(zb *bolt.Bucket) ([]string, error) {
		var changed []string
		if opts.Replace {
			var err error
			if changed, err = deleteOthers(zb, sets); err != nil {
				return nil, err
			}
		}
		for _, set := range sets {
			if err := importSet(zb, set, opts.Replace); err != nil {
				return nil, err
			}
			changed = append(changed, set.Label)
		}
		return changed, nil
	})
}

func importSet(zb *bolt.Bucket, set LabelSet, replace bool) error {
	var merged []Record
	if !replace {
		var err error
		if merged, err = decodeSet(zb.Get([]byte(set.Label))); err != nil {
			return err
		}
	}
	for _, r := range set.Records {
		if indexOf(merged, r) >= 0 {
			return fmt.Errorf("%w: %s %s record under %q", ErrDuplicate, r.Type, dataSummary(r), set.Label)
		}
		merged = append(merged, r)
	}
	return putSet(zb, set.Label, merged)
}

// deleteOthers removes the labels of the zone that sets does not contain
// and returns them.
func deleteOthers(zb *bolt.Bucket, sets []LabelSet) ([]string, error) {
	keep := make(map[string]bool, len(sets))
	for _, set := range sets {
		keep[set.Label] = true
	}
	var gone []string
	err := zb.ForEach(func(k, _ []byte) error {
		if !keep[string(k)] {
			gone = append(gone, string(k))
		}
		return nil
	})
	for _, label := range gone {
		err = errors.Join(err, zb.Delete([]byte(label)))
	}
	return gone, err
}

// Export writes zone zk in the zone text format, labels sorted.
func (s *Store) Export(zk zone.PublicKey, w io.Writer) error {
	sets, err := s.List(zk)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, set := range sets {
		for _, r := range set.Records {
			if err := writeZoneLine(bw, set.Label, r); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

func writeZoneLine(w io.Writer, label string, r Record) error {
	value, err := record.FormatValue(r.Type, r.Data)
	if err != nil {
		return fmt.Errorf("namestore: export %s record under %q: %w", r.Type, label, err)
	}
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("namestore: export %s record under %q: the value contains a line break, which the zone text format cannot hold", r.Type, label)
	}
	_, err = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", label, r.Type, gns.FormatExpiration(r), gns.FormatFlags(r.Flags), value)
	return err
}
