package interop

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/identity"
)

// textEgo is the PKEY zone that holds the records of textCases.
const textEgo = "husht"

// textCase is a record value given to hush's parser. "{peer}" stands for
// textPeerID and "@EGO" for the ego's zTLD. NICK is missing
// because `gnunet-namestore -D` 0.19.3 does not list a NICK record added
// under an ordinary label, although the add reports no error. The test hands
// hush's text form of the parsed data to gnunet-namestore, one record per
// label, and expects GNUnet to publish the same data.
type textCase struct {
	label, typ, text string
}

var textCases = []textCase{
	{"t-a", "A", "198.51.100.7"},
	{"t-aaaa", "AAAA", "2001:db8::7"},
	{"t-ns", "NS", "ns1.example.org"},
	{"t-cname", "CNAME", "target.example.org"},
	{"t-ptr", "PTR", "ptr.example.org"},
	{"t-mx", "MX", "20 mx2.example.org"},
	{"t-txt", "TXT", "text with spaces"},
	{"t-leho", "LEHO", "legacy.example.org"},
	{"t-redirect", "REDIRECT", "alias.example.org"},
	{"t-gns2dns", "GNS2DNS", "example.org@192.0.2.53"},
	{"t-srv", "BOX", "6 5061 33 10 20 5061 sips.example.org"},
	{"t-tlsa", "BOX", "6 443 52 3 1 1 0123456789abcdef0123456789abcdef"},
	{"t-vpn", "VPN", "6 {peer} hush-service"},
	{"t-pkey", "PKEY", "@hushd"},
	{"t-edkey", "EDKEY", "@hushe"},
}

// textPeerID is the peer ID in the VPN case: the Base32GNS form of the
// bytes 0, 1, ..., 31.
var textPeerID = identity.Base32Encode([]byte{
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
})

// textRecords returns textCases as namestore input in hush's text form,
// and the record data hush means by each label.
func textRecords(t *testing.T, zones map[string]liveZone) ([]recordInput, map[string][]byte) {
	var inputs []recordInput
	want := map[string][]byte{}
	for _, c := range textCases {
		text := strings.ReplaceAll(c.text, "{peer}", textPeerID)
		if ego, ok := strings.CutPrefix(text, "@"); ok {
			text = zones[ego].priv.Public().String()
		}
		typ, err := record.TypeByName(c.typ)
		if err != nil {
			t.Fatal(err)
		}
		data, err := record.ParseValue(typ, text)
		if err != nil {
			t.Fatalf("hush cannot parse its own test value %s %q: %v", c.typ, text, err)
		}
		hushText, err := record.FormatValue(typ, data)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, recordInput{ego: textEgo, label: c.label, typ: c.typ, value: hushText})
		want[c.label] = data
	}
	return inputs, want
}

// checkTextLabel checks that GNUnet stored, for one textCases label, the
// data hush meant with its text form.
func checkTextLabel(t *testing.T, label string, hushText string, stored []storedRecord, got []record.Record, want []byte) {
	if len(stored) != 1 || len(got) != 1 {
		t.Fatalf("expected one record, the namestore has %d and the block %d", len(stored), len(got))
	}
	if !bytes.Equal(got[0].Data, want) {
		t.Errorf("GNUnet reads hush's %v text %q as data %x (prints it as %q), hush means %x",
			got[0].Type, hushText, got[0].Data, stored[0].text, want)
	}
}
