package interop

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/hush-overlay/hush/gns/record"
	"github.com/hush-overlay/hush/gns/zone"
	"github.com/hush-overlay/hush/identity"
)

// capturePath is where TestRecordedGNUnetBlocks reads the blocks of an
// earlier live run.
const capturePath = "testdata/gnunet-0.19-live.json"

var recordFlag = flag.Bool("record", false, "write the blocks of the live GNUnet run to "+capturePath)

// capture is the JSON document at capturePath.
type capture struct {
	About  string          `json:"about"`
	Blocks []capturedBlock `json:"blocks"`
}

// capturedBlock is one block that GNUnet's zonemaster published.
type capturedBlock struct {
	Zone       string           `json:"zone"`
	ZTLD       string           `json:"ztld"`
	PrivateKey string           `json:"private_key_text"` // as gnunet-identity -d -p prints it
	Label      string           `json:"label"`
	Block      string           `json:"rrblock"` // hex, as the namecache returned it
	Records    []capturedRecord `json:"records"`
}

// capturedRecord is one record of a captured block. Data is what the
// block contains. Text is how gnunet-namestore -D -r prints the record.
type capturedRecord struct {
	Type       uint32 `json:"type"`
	Flags      uint16 `json:"flags"`
	Expiration uint64 `json:"expiration"`
	Data       string `json:"data"`
	Text       string `json:"text"`
}

// blockCapturer collects the blocks of a live run when -record is set.
type blockCapturer struct {
	mu      sync.Mutex
	capture capture
}

var capturer = &blockCapturer{capture: capture{About: "RRBLOCKs published by GNUnet's zonemaster on a private " +
	"loopback-only peer (written by TestGNUnetPeerBlocks -record). The zone private keys are throwaway test keys. " +
	"Record data is the block's content; text is GNUnet's text form of the record."}}

// add records one block. It skips a block whose records do not line up
// with the namestore's, which the live test reports as an error.
func (c *blockCapturer) add(t *testing.T, z liveZone, label string, raw []byte, got []record.Record, texts []string) {
	if !*recordFlag {
		return
	}
	if len(texts) != len(got) {
		t.Logf("not recording the block for %s: %d records, the namestore lists %d", label, len(got), len(texts))
		return
	}
	b := capturedBlock{
		Zone: z.ego, ZTLD: z.priv.Public().String(), PrivateKey: privateKeyText(z.priv),
		Label: label, Block: hex.EncodeToString(raw),
	}
	for i, r := range got {
		b.Records = append(b.Records, capturedRecord{
			Type: uint32(r.Type), Flags: uint16(r.Flags), Expiration: uint64(r.Expiration),
			Data: hex.EncodeToString(r.Data), Text: texts[i],
		})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.capture.Blocks = append(c.capture.Blocks, b)
}

func (c *blockCapturer) write(t *testing.T) {
	if !*recordFlag {
		return
	}
	slices.SortFunc(c.capture.Blocks, func(a, b capturedBlock) int {
		return cmp.Or(cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.Label, b.Label))
	})
	out, err := json.MarshalIndent(c.capture, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(capturePath, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d blocks to %s", len(c.capture.Blocks), capturePath)
}

func privateKeyText(priv *zone.PrivateKey) string {
	return identity.Base32Encode(zone.MarshalPrivateKey(priv))
}

// TestRecordedGNUnetBlocks repeats the block checks of the live test on
// blocks captured from an earlier live run, so that they also run where
// GNUnet is not installed.
func TestRecordedGNUnetBlocks(t *testing.T) {
	raw, err := os.ReadFile(capturePath)
	if err != nil {
		t.Fatal(err)
	}
	var c capture
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Blocks) == 0 {
		t.Fatalf("%s contains no blocks", capturePath)
	}
	for _, b := range c.Blocks {
		t.Run(b.Zone+"/"+b.Label, func(t *testing.T) { checkCapturedBlock(t, b) })
	}
}

func checkCapturedBlock(t *testing.T, b capturedBlock) {
	priv, err := zone.ParsePrivateKeyText(b.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := priv.Public().String(); got != b.ZTLD {
		t.Fatalf("private key gives zone %s, GNUnet printed %s", got, b.ZTLD)
	}
	raw := unhex(t, b.Block)
	blk, err := zone.ParseBlock(raw)
	if err != nil {
		t.Fatalf("hush cannot parse GNUnet's block: %v", err)
	}
	if err := blk.Verify(); err != nil {
		t.Fatalf("hush rejects the signature of GNUnet's block: %v", err)
	}
	rdata, err := blk.Open(priv.Public(), b.Label)
	if err != nil {
		t.Fatalf("hush cannot decrypt GNUnet's block: %v", err)
	}
	got, err := record.ParseSet(rdata)
	if err != nil {
		t.Fatalf("hush cannot parse the RDATA %x: %v", rdata, err)
	}
	want := capturedRecords(t, b.Records)
	compareRecords(t, got, want)

	sealed, err := zone.SealBlock(priv, b.Label, rdata, blk.Expiration)
	if err != nil {
		t.Fatal(err)
	}
	if hushBlock := sealed.Marshal(); !bytes.Equal(hushBlock, raw) {
		t.Errorf("hush seals a different block from the same key, label, RDATA and expiration:\nhush   %x\nGNUnet %x", hushBlock, raw)
	}
	for i, r := range want {
		data, err := record.ParseValue(r.Type, b.Records[i].Text)
		if err != nil {
			t.Errorf("hush cannot parse GNUnet's %v text %q: %v", r.Type, b.Records[i].Text, err)
		} else if !bytes.Equal(data, r.Data) {
			t.Errorf("hush reads GNUnet's %v text %q as %x, GNUnet's block contains %x", r.Type, b.Records[i].Text, data, r.Data)
		}
	}
}

func capturedRecords(t *testing.T, records []capturedRecord) []record.Record {
	var out []record.Record
	for _, r := range records {
		out = append(out, record.Record{
			Type: record.Type(r.Type), Flags: record.Flags(r.Flags),
			Expiration: record.Expiration(r.Expiration), Data: unhex(t, r.Data),
		})
	}
	return out
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
