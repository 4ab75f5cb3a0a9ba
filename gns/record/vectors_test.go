package record

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/hush-overlay/hush/gns/zone"
)

// vectorRecord is an expected record of a test vector.
type vectorRecord struct {
	Type       Type   `json:"type"`
	Flags      Flags  `json:"flags"`
	Expiration uint64 `json:"expiration"`
	Data       string `json:"data"`
	TextType   string `json:"text_type"`
	Value      string `json:"value"`
}

// blockVector is the part of a block vector that record tests use. The
// files live in the zone package, which owns the block format.
type blockVector struct {
	Name       string         `json:"name"`
	ZoneType   string         `json:"zone_type"`
	ZTLD       string         `json:"ztld"`
	PrivateKey string         `json:"private_key"`
	Label      string         `json:"label"`
	RData      string         `json:"rdata"`
	RRBlock    string         `json:"rrblock"`
	Records    []vectorRecord `json:"records"`
}

func loadVectors(t testing.TB, file string) []blockVector {
	t.Helper()
	raw, err := os.ReadFile("../zone/testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Blocks []blockVector }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Blocks
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	return b
}

func (v vectorRecord) record(t *testing.T) Record {
	return Record{Expiration: Expiration(v.Expiration), Type: v.Type, Flags: v.Flags, Data: unhex(t, v.Data)}
}

func checkRecords(t *testing.T, got []Record, want []vectorRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("parsed %d records, expected %d", len(got), len(want))
	}
	for i, w := range want {
		wr := w.record(t)
		if got[i].Type != wr.Type || got[i].Flags != wr.Flags || got[i].Expiration != wr.Expiration || !bytes.Equal(got[i].Data, wr.Data) {
			t.Errorf("record %d = %+v, expected %+v", i, got[i], wr)
		}
		checkValueText(t, got[i], w)
	}
}

func checkValueText(t *testing.T, r Record, w vectorRecord) {
	t.Helper()
	if name := r.Type.String(); name != w.TextType {
		t.Errorf("type %d prints as %q, expected %q", uint32(r.Type), name, w.TextType)
	}
	text, err := FormatValue(r.Type, r.Data)
	if err != nil {
		t.Fatal(err)
	}
	if text != w.Value {
		t.Errorf("FormatValue(%s) = %q, expected %q", r.Type, text, w.Value)
	}
	data, err := ParseValue(r.Type, w.Value)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, r.Data) {
		t.Errorf("ParseValue(%s, %q) = %x, expected %x", r.Type, w.Value, data, r.Data)
	}
}

// RFC 9498, section "Plaintext Record Data (RDATA)" and the "Test
// Vectors" appendix: RDATA parses to the
// listed records, and encoding them reproduces RDATA with its padding.
func TestRFC9498RecordSets(t *testing.T) {
	for _, v := range loadVectors(t, "rfc9498.json") {
		t.Run(v.Name, func(t *testing.T) {
			rdata := unhex(t, v.RData)
			got, err := ParseSet(rdata)
			if err != nil {
				t.Fatal(err)
			}
			checkRecords(t, got, v.Records)
			again, err := MarshalSet(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, rdata) {
				t.Errorf("MarshalSet = %x, expected %x", again, rdata)
			}
		})
	}
}

// gnunetNow is a fixed time before the GNUnet 0.19.3 blocks expire.
var gnunetNow = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

// Blocks that GNUnet 0.19.3 published verify, decrypt to the RDATA that
// GNUnet itself decrypted, and hold the records GNUnet reported.
func TestGNUnet019Blocks(t *testing.T) {
	for _, v := range loadVectors(t, "gnunet-0.19-blocks.json") {
		t.Run(v.Name, func(t *testing.T) {
			blk, err := zone.ParseBlock(unhex(t, v.RRBlock))
			if err != nil {
				t.Fatal(err)
			}
			if err := blk.Verify(); err != nil {
				t.Fatal(err)
			}
			if !blk.Expiration.After(gnunetNow) {
				t.Errorf("block expired at %v, before %v", blk.Expiration, gnunetNow)
			}
			zk, err := zone.ParsePublicKey(v.ZTLD)
			if err != nil {
				t.Fatal(err)
			}
			rdata, err := blk.Open(zk, v.Label)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rdata, unhex(t, v.RData)) {
				t.Errorf("RDATA = %x, expected %s", rdata, v.RData)
			}
			records, err := OpenBlock(blk, zk, v.Label)
			if err != nil {
				t.Fatal(err)
			}
			checkRecords(t, records, v.Records)
			if active := Active(records, gnunetNow); len(active) != len(records) {
				t.Errorf("%d of %d records are active at %v", len(active), len(records), gnunetNow)
			}
		})
	}
}

// Re-sealing the GNUnet 0.19.3 RDATA with the zone's private key and the
// block's expiration reproduces GNUnet's block byte for byte.
func TestGNUnet019BlocksReseal(t *testing.T) {
	for _, v := range loadVectors(t, "gnunet-0.19-blocks.json") {
		t.Run(v.Name, func(t *testing.T) {
			want := unhex(t, v.RRBlock)
			blk, err := zone.ParseBlock(want)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := zone.ParsePrivateKey(unhex(t, v.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			if priv.Public().String() != v.ZTLD {
				t.Fatalf("private key gives zone %s, expected %s", priv.Public(), v.ZTLD)
			}
			sealed, err := zone.SealBlock(priv, v.Label, unhex(t, v.RData), blk.Expiration)
			if err != nil {
				t.Fatal(err)
			}
			if got := sealed.Marshal(); !bytes.Equal(got, want) {
				t.Errorf("SealBlock = %x\nexpected %x", got, want)
			}
		})
	}
}
