package interop

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hush-overlay/hush/gns/record"
)

// storedRecord is one record as `gnunet-namestore -D -r` prints it: the
// namestore's own view, before the zonemaster publishes it.
type storedRecord struct {
	label  string
	record record.Record
	text   string // the value as GNUnet prints it
}

// flagLetters maps the letters in the brackets of a `gnunet-namestore -D -r`
// line (GNUnet 0.19.3) to record flags. "p" (public) has no wire flag: a
// record without it is private. Only the letters the test has seen are
// listed, and parseFlagLetters rejects others.
var flagLetters = map[rune]record.Flags{
	'p': 0,
	'r': record.FlagRelativeExpiration,
	'C': record.FlagCritical,
	'S': record.FlagShadow,
}

// parseListing parses the output of `gnunet-namestore -D -r -z ZONE`. The
// output has a line "LABEL.ZONE:" per label, followed by lines
// "TYPE EXPIRATION [FLAGS] VALUE", in the order the namestore keeps the
// records.
func parseListing(out string) ([]storedRecord, error) {
	var records []storedRecord
	label := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":"):
			label, _, _ = strings.Cut(strings.TrimSuffix(line, ":"), ".")
		case label == "":
			return nil, fmt.Errorf("interop: record line %q before any label", line)
		default:
			r, err := parseListingLine(strings.TrimSpace(line))
			if err != nil {
				return nil, err
			}
			r.label = label
			records = append(records, r)
		}
	}
	return records, nil
}

// parseListingLine parses "TYPE EXPIRATION [FLAGS] VALUE".
func parseListingLine(line string) (storedRecord, error) {
	fields := strings.SplitN(line, " ", 4)
	if len(fields) < 3 || !strings.HasPrefix(fields[2], "[") || !strings.HasSuffix(fields[2], "]") {
		return storedRecord{}, fmt.Errorf("interop: invalid namestore line %q, expected \"TYPE EXPIRATION [FLAGS] VALUE\"", line)
	}
	typ, err := record.TypeByName(fields[0])
	if err != nil {
		return storedRecord{}, fmt.Errorf("interop: namestore line %q: %w", line, err)
	}
	exp, err := strconv.ParseUint(fields[1], 10, 64)
	if err != nil {
		return storedRecord{}, fmt.Errorf("interop: namestore line %q: expiration: %w", line, err)
	}
	flags, err := parseFlagLetters(strings.Trim(fields[2], "[]"))
	if err != nil {
		return storedRecord{}, fmt.Errorf("interop: namestore line %q: %w", line, err)
	}
	r := storedRecord{record: record.Record{Expiration: record.Expiration(exp), Type: typ, Flags: flags}}
	if len(fields) == 4 {
		r.text = fields[3]
	}
	return r, nil
}

func parseFlagLetters(letters string) (record.Flags, error) {
	flags := record.FlagPrivate
	for _, c := range letters {
		f, ok := flagLetters[c]
		if !ok {
			return 0, fmt.Errorf("unknown record flag letter %q", c)
		}
		if c == 'p' {
			flags &^= record.FlagPrivate
		}
		flags |= f
	}
	return flags, nil
}
