package zone

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

// rfcVector is one record-set vector of RFC 9498's test-vector appendix,
// as stored in testdata/rfc9498.json.
type rfcVector struct {
	Name       string `json:"name"`
	ZoneType   string `json:"zone_type"`
	PrivateKey string `json:"private_key"`
	ZoneID     string `json:"zone_id"`
	ZTLD       string `json:"ztld"`
	Label      string `json:"label"`
	DerivedKey string `json:"derived_key"`
	Query      string `json:"query"`
	Key        string `json:"key"`
	Nonce      string `json:"nonce"`
	RData      string `json:"rdata"`
	BData      string `json:"bdata"`
	RRBlock    string `json:"rrblock"`
}

func loadRFCVectors(t testing.TB) []rfcVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/rfc9498.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Blocks []rfcVector }
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

func (v rfcVector) privateKey(t *testing.T) *PrivateKey {
	t.Helper()
	var p *PrivateKey
	var err error
	if v.ZoneType == "PKEY" {
		p, err = NewPKEY(unhex(t, v.PrivateKey))
	} else {
		p, err = NewEDKEY(unhex(t, v.PrivateKey))
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// RFC 9498, sections "Zone Top-Level Domains", "PKEY" and "EDKEY", and
// the "Test Vectors" appendix: zone key and zTLD from the private key.
func TestRFC9498ZoneKey(t *testing.T) {
	for _, v := range loadRFCVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			pub := v.privateKey(t).Public()
			if got := hex.EncodeToString(pub.ID()); got != v.ZoneID {
				t.Errorf("zone ID = %s, expected %s", got, v.ZoneID)
			}
			if got := pub.String(); got != v.ZTLD {
				t.Errorf("zTLD = %s, expected %s", got, v.ZTLD)
			}
			parsed, err := ParsePublicKey(v.ZTLD)
			if err != nil {
				t.Fatal(err)
			}
			if parsed != pub {
				t.Errorf("ParsePublicKey(%s) = %x, expected %x", v.ZTLD, parsed.ID(), pub.ID())
			}
		})
	}
}

// RFC 9498, sections "PKEY", "EDKEY" and "The Storage Key": zk' and the
// storage query q.
func TestRFC9498DerivedKeyAndQuery(t *testing.T) {
	for _, v := range loadRFCVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			pub := v.privateKey(t).Public()
			d, err := pub.Derive(v.Label)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(d.Bytes()); got != v.DerivedKey {
				t.Errorf("zk' = %s, expected %s", got, v.DerivedKey)
			}
			q, err := pub.Query(v.Label)
			if err != nil {
				t.Fatal(err)
			}
			if q.String() != v.Query {
				t.Errorf("q = %s, expected %s", q, v.Query)
			}
		})
	}
}

// RFC 9498, sections "PKEY" and "EDKEY" (S-Encrypt): K and the nonce, and BDATA decrypts
// to RDATA.
func TestRFC9498Encryption(t *testing.T) {
	for _, v := range loadRFCVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			pub := v.privateKey(t).Public()
			blk, err := ParseBlock(unhex(t, v.RRBlock))
			if err != nil {
				t.Fatal(err)
			}
			keys := keysFor(pub, v.Label, MicrosFromTime(blk.Expiration))
			if got := hex.EncodeToString(keys.key[:]); got != v.Key {
				t.Errorf("K = %s, expected %s", got, v.Key)
			}
			if got := hex.EncodeToString(keys.nonce); got != v.Nonce {
				t.Errorf("nonce = %s, expected %s", got, v.Nonce)
			}
			if !bytes.Equal(blk.Data, unhex(t, v.BData)) {
				t.Errorf("BDATA = %x, expected %s", blk.Data, v.BData)
			}
			rdata, err := blk.Open(pub, v.Label)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(rdata); got != v.RData {
				t.Errorf("RDATA = %s, expected %s", got, v.RData)
			}
		})
	}
}

// RFC 9498, section "The Resource Record Block": the RRBLOCK signature verifies, and
// sealing RDATA again reproduces the block byte for byte.
func TestRFC9498BlockSignature(t *testing.T) {
	for _, v := range loadRFCVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			want := unhex(t, v.RRBlock)
			blk, err := ParseBlock(want)
			if err != nil {
				t.Fatal(err)
			}
			if err := blk.Verify(); err != nil {
				t.Fatal(err)
			}
			if got := blk.Marshal(); !bytes.Equal(got, want) {
				t.Errorf("Marshal = %x, expected %x", got, want)
			}
			sealed, err := SealBlock(v.privateKey(t), v.Label, unhex(t, v.RData), blk.Expiration)
			if err != nil {
				t.Fatal(err)
			}
			if got := sealed.Marshal(); !bytes.Equal(got, want) {
				t.Errorf("SealBlock = %x\nexpected %x", got, want)
			}
		})
	}
}

// gnunetVector is a block that GNUnet 0.19.3 published, as stored in
// testdata/gnunet-0.19-blocks.json.
type gnunetVector struct {
	Name           string `json:"name"`
	ZTLD           string `json:"ztld"`
	ZoneID         string `json:"zone_id"`
	PrivateKeyText string `json:"private_key_text"`
	PrivateKey     string `json:"private_key"`
	Label          string `json:"label"`
	Query          string `json:"query"`
	Expiration     uint64 `json:"block_expiration"`
	RRBlock        string `json:"rrblock"`
}

// The keys, queries and block expirations of the GNUnet 0.19.3 blocks: a
// private key as `gnunet-identity -d -p` prints it gives the zone that
// `gnunet-identity -d` prints, and the query is the one GNUnet's
// namecache client sent.
func TestGNUnet019KeysAndQueries(t *testing.T) {
	raw, err := os.ReadFile("testdata/gnunet-0.19-blocks.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Blocks []gnunetVector }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.Blocks {
		t.Run(v.Name, func(t *testing.T) {
			priv, err := ParsePrivateKeyText(v.PrivateKeyText)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(MarshalPrivateKey(priv)); got != v.PrivateKey {
				t.Errorf("MarshalPrivateKey = %s, expected %s", got, v.PrivateKey)
			}
			if got := priv.Public().String(); got != v.ZTLD {
				t.Errorf("zTLD = %s, expected %s", got, v.ZTLD)
			}
			if got := hex.EncodeToString(priv.Public().ID()); got != v.ZoneID {
				t.Errorf("zone ID = %s, expected %s", got, v.ZoneID)
			}
			q, err := priv.Public().Query(v.Label)
			if err != nil {
				t.Fatal(err)
			}
			if q.String() != v.Query {
				t.Errorf("query = %s, expected %s", q, v.Query)
			}
			blk, err := ParseBlock(unhex(t, v.RRBlock))
			if err != nil {
				t.Fatal(err)
			}
			if blk.Query() != q {
				t.Errorf("block query = %s, expected %s", blk.Query(), q)
			}
			if got := MicrosFromTime(blk.Expiration); got != v.Expiration {
				t.Errorf("block expiration = %d, expected %d", got, v.Expiration)
			}
		})
	}
}
