package record

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

const (
	testZTLD = "000G0037FH3QTBCK15Y8BCCNRVWPV17ZC7TSGB1C9ZG2TPGHZVFV1GMG3W"
	testPeer = "SWNM65EKC6899V41WQSB5NFTGHBHQ0898VM09BY8DDHDDXNVWSHG"
	secret   = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

// valueCases lists text forms as gnunet-namestore takes them, their data
// in hex, and the text that FormatValue prints back when it differs.
var valueCases = []struct {
	typ     Type
	text    string
	data    string
	printed string
}{
	{TypeA, "192.0.2.1", "c0000201", ""},
	{TypeAAAA, "2001:db8::1", "20010db8000000000000000000000001", ""},
	{TypeAAAA, "::ffff:192.0.2.1", "00000000000000000000ffffc0000201", ""},
	{TypeCNAME, "www.example.com", "03777777076578616d706c6503636f6d00", ""},
	{TypeCNAME, "www.example.com.", "03777777076578616d706c6503636f6d00", "www.example.com"},
	{TypeCNAME, "www.+", "03777777012b00", ""},
	{TypeCNAME, "bücher.example", "0d786e2d2d62636865722d6b7661076578616d706c6500", ""},
	{TypeNS, "ns1.example.org", "036e7331076578616d706c65036f726700", ""},
	{TypePTR, "host.example", "04686f7374076578616d706c6500", ""},
	{TypeMX, "10 mail.example.com", "000a046d61696c076578616d706c6503636f6d00", ""},
	{TypeMX, "10,mail.example.com", "000a046d61696c076578616d706c6503636f6d00", "10 mail.example.com"},
	{TypeMX, " 10 \tmail.example.com ", "000a046d61696c076578616d706c6503636f6d00", "10 mail.example.com"},
	// GNUnet 0.19.3 keeps a comma after white space in the host name.
	{TypeMX, "20 ,mx2.example.org", "0014042c6d7832076578616d706c65036f726700", ""},
	{TypeTXT, "hello gnunet baseline", hex.EncodeToString([]byte("hello gnunet baseline")), ""},
	{TypeTXT, "", "", ""},
	{TypeSRV, "10 5 5060 sip.example.com", "000a000513c4037369700765" + "78616d706c6503636f6d00", ""},
	{TypeTLSA, "3 1 1 abcdef01", "030101abcdef01", ""},
	{TypeTLSA, "3 1 1 ABCDEF01", "030101abcdef01", "3 1 1 abcdef01"},
	{TypeNICK, "愛称", "e6849be7a7b0", ""},
	{TypeLEHO, "www.example.com", hex.EncodeToString([]byte("www.example.com")), ""},
	{TypeREDIRECT, "www.example.+", hex.EncodeToString([]byte("www.example.+")), ""},
	{TypeGNS2DNS, "example.com@192.0.2.53", "076578616d706c6503636f6d00" + hex.EncodeToString([]byte("192.0.2.53\x00")), ""},
	{TypeGNS2DNS, "example.com.@ns1.example.com", "076578616d706c6503636f6d00" + hex.EncodeToString([]byte("ns1.example.com\x00")), "example.com@ns1.example.com"},
	{TypeGNS2DNS, "bücher.example@ns.+", "0d786e2d2d62636865722d6b7661076578616d706c6500" + hex.EncodeToString([]byte("ns.+\x00")), ""},
	{TypeGNS2DNS, "example.com@a@b", "076578616d706c6503636f6d00" + hex.EncodeToString([]byte("a@b\x00")), ""},
	{TypePKEY, testZTLD, "677c477d2d93097c85b195c6f96d84ff61f5982c2c4fe02d5a11fedfb0c2901f", ""},
	{TypeEDKEY, "000G051WYJWJ80S04BRDRM2R2H9VGQCKP13VCFA4DHC4BJT88HEXQ5K8HW", "3cf4b924032022f0dc50581453b85d93b047b63d446c5845cb48445ddb96688f", ""},
	{TypeBOX, "6 443 52 3 0 1 abcd", "0006" + "01bb" + "00000034" + "030001abcd", ""},
	{TypeBOX, "6 443 TLSA 3 0 1 abcd", "0006" + "01bb" + "00000034" + "030001abcd", "6 443 52 3 0 1 abcd"},
	{TypeBOX, "17 5060 33 0 0 5060 sip.example.com", "0011" + "13c4" + "00000021" + "0000000013c4037369700765" + "78616d706c6503636f6d00", ""},
	{TypeBOX, "6 80 16 two words", "0006" + "0050" + "00000010" + hex.EncodeToString([]byte("two words")), ""},
}

func TestValueTextForms(t *testing.T) {
	for _, c := range valueCases {
		data, err := ParseValue(c.typ, c.text)
		if err != nil {
			t.Errorf("ParseValue(%s, %q): %v", c.typ, c.text, err)
			continue
		}
		if got := hex.EncodeToString(data); got != c.data {
			t.Errorf("ParseValue(%s, %q) = %s, expected %s", c.typ, c.text, got, c.data)
		}
		want := c.printed
		if want == "" {
			want = c.text
		}
		text, err := FormatValue(c.typ, data)
		if err != nil || text != want {
			t.Errorf("FormatValue(%s, %x) = %q, %v, expected %q", c.typ, data, text, err, want)
		}
	}
}

func TestVPNValue(t *testing.T) {
	text := "6 " + testPeer + " ssh"
	data, err := ParseValue(TypeVPN, text)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 32+2+4 || data[32] != 0 || data[33] != 6 || string(data[34:]) != "ssh\x00" {
		t.Errorf("VPN data = %x, expected peer, protocol 6 and \"ssh\\x00\"", data)
	}
	back, err := FormatValue(TypeVPN, data)
	if err != nil || back != text {
		t.Errorf("FormatValue(VPN) = %q, %v, expected %q", back, err, text)
	}
}

// TestGNS2DNSRecord reads the data GNUnet 0.19.3 stored for
// "example.org@192.0.2.53" and an IDN name, whose DNS name must come
// back in Punycode for DNS queries.
func TestGNS2DNSRecord(t *testing.T) {
	cases := []struct{ data, name, server string }{
		{"076578616d706c65036f7267003139322e302e322e353300", "example.org", "192.0.2.53"},
		{"0d786e2d2d62636865722d6b7661076578616d706c6500" + hex.EncodeToString([]byte("ns.+\x00")), "xn--bcher-kva.example", "ns.+"},
	}
	for _, c := range cases {
		data, _ := hex.DecodeString(c.data)
		name, server, err := Record{Type: TypeGNS2DNS, Data: data}.GNS2DNS()
		if err != nil || name != c.name || server != c.server {
			t.Errorf("GNS2DNS() of %s = %q, %q, %v, expected %q, %q", c.data, name, server, err, c.name, c.server)
		}
	}
	if _, _, err := (Record{Type: TypeGNS2DNS, Data: []byte("example.org\x00192.0.2.53\x00")}).GNS2DNS(); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("GNS2DNS() of the name as a plain string = %v, expected ErrInvalidValue", err)
	}
}

// TestMXHostWithUnicodeSpace checks that a host label that decodes from
// Punycode to a non-ASCII space still prints as one field.
func TestMXHostWithUnicodeSpace(t *testing.T) {
	data, err := ParseValue(TypeMX, "10 a\u3000b.example")
	if err != nil {
		t.Fatal(err)
	}
	text, err := FormatValue(TypeMX, data)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseValue(TypeMX, text)
	if err != nil || !bytes.Equal(back, data) {
		t.Errorf("ParseValue(MX, %q) = %x, %v, expected %x", text, back, err, data)
	}
}

func TestStealthValue(t *testing.T) {
	text := testPeer + " git-knock " + secret
	data, err := ParseValue(TypeSTEALTH, text)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseStealth(data)
	if err != nil {
		t.Fatal(err)
	}
	if s.Peer.String() != testPeer || s.Port != "git-knock" || hex.EncodeToString(s.Secret[:]) != secret {
		t.Errorf("ParseStealth = %+v", s)
	}
	if strings.Contains(s.String(), secret) {
		t.Errorf("Stealth.String() %q shows the secret", s.String())
	}
	marshaled, err := s.Marshal()
	if err != nil || !bytes.Equal(marshaled, data) {
		t.Errorf("Marshal = %x, %v, expected %x", marshaled, err, data)
	}
	back, err := FormatValue(TypeSTEALTH, data)
	if err != nil || back != text {
		t.Errorf("FormatValue(STEALTH) = %q, %v, expected %q", back, err, text)
	}
}

func TestParseValueRejectsBadText(t *testing.T) {
	cases := []struct {
		typ  Type
		text string
	}{
		{TypeA, "2001:db8::1"}, {TypeA, "192.0.2"}, {TypeA, ""},
		{TypeAAAA, "192.0.2.1"}, {TypeAAAA, "fe80::1%eth0"},
		{TypeCNAME, "a..b"}, {TypeCNAME, strings.Repeat("a", 64) + ".com"}, {TypeCNAME, "a b.com"},
		{TypeMX, "mail.example.com"}, {TypeMX, "10"}, {TypeMX, "70000,mail.example.com"}, {TypeMX, "x,mail"},
		{TypeMX, "70000 mail.example.com"}, {TypeMX, "10 mail.example.com extra"}, {TypeMX, "10,"}, {TypeMX, "10, mail.example.com"},
		{TypeSRV, "1 2 3"}, {TypeSRV, "1 2 70000 host"},
		{TypeTLSA, "3 1 1 xyz"}, {TypeTLSA, "256 1 1 ab"}, {TypeTLSA, "3 1 1"},
		{TypeTXT, "a\x00b"}, {TypeNICK, "\xff"},
		{TypeGNS2DNS, "example.com"}, {TypeGNS2DNS, "@192.0.2.1"}, {TypeGNS2DNS, "example.com@"},
		{TypeGNS2DNS, ".@192.0.2.1"}, {TypeGNS2DNS, "a..b@192.0.2.1"}, {TypeGNS2DNS, "example.com@\xff"},
		{TypePKEY, "000G051WYJWJ80S04BRDRM2R2H9VGQCKP13VCFA4DHC4BJT88HEXQ5K8HW"}, // an EDKEY
		{TypeEDKEY, testZTLD}, {TypePKEY, "notakey"},
		{TypeVPN, "6 " + testPeer}, {TypeVPN, "x " + testPeer + " ssh"}, {TypeVPN, "6 NOTAPEER ssh"},
		{TypeBOX, "6 443 52"}, {TypeBOX, "6 443 65541 6 443 1 192.0.2.1"}, {TypeBOX, "6 443 52 garbage"},
		{TypeSTEALTH, testPeer + " port"}, {TypeSTEALTH, testPeer + " port " + secret[:62]},
		{Type(12345), "anything"},
	}
	for _, c := range cases {
		_, err := ParseValue(c.typ, c.text)
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseValue(%s, %q) = %v, expected ErrInvalidValue", c.typ, c.text, err)
		}
	}
}

func TestParseValueErrorNamesTypeAndValue(t *testing.T) {
	_, err := ParseValue(TypeMX, "70000 mail.example.com")
	if err == nil || !strings.Contains(err.Error(), "MX") || !strings.Contains(err.Error(), "70000") || !strings.Contains(err.Error(), "preference") {
		t.Errorf("error %q does not name the type, the field and the value", err)
	}
}

func TestFormatValueRejectsBadData(t *testing.T) {
	cases := []struct {
		typ  Type
		data string
	}{
		{TypeA, "c00002"}, {TypeAAAA, "c0000201"},
		{TypeCNAME, "03777777"}, {TypeCNAME, "c00c"}, {TypeCNAME, "0377777700ff"}, {TypeCNAME, "03772e7700"},
		{TypeMX, "000a"}, {TypeSRV, "0001000200"}, {TypeTLSA, "030101"},
		{TypeTXT, "610062"}, {TypeGNS2DNS, "6100"}, {TypeGNS2DNS, "61006200ff"}, {TypeGNS2DNS, "614062006300"},
		{TypeGNS2DNS, "0161"}, {TypeGNS2DNS, "016100"}, {TypeGNS2DNS, "01610000"}, {TypeGNS2DNS, "016100620000"},
		{TypeGNS2DNS, "016100620063"}, {TypeGNS2DNS, "006200"}, {TypeGNS2DNS, "03614062006300"}, {TypeGNS2DNS, "016100ff00"},
		{TypePKEY, "00"}, {TypeVPN, "00"}, {TypeBOX, "0006"}, {TypeBOX, "0006000000010005c0000201"},
		{TypeSTEALTH, "00"},
	}
	for _, c := range cases {
		data, _ := hex.DecodeString(c.data)
		if _, err := FormatValue(c.typ, data); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("FormatValue(%s, %s) = %v, expected ErrInvalidValue", c.typ, c.data, err)
		}
	}
}

func TestTypeNames(t *testing.T) {
	for typ, name := range typeNames {
		got, err := TypeByName(strings.ToLower(name))
		if err != nil || got != typ {
			t.Errorf("TypeByName(%q) = %v, %v, expected %v", strings.ToLower(name), got, err, typ)
		}
	}
	if got, err := TypeByName("TYPE99"); err != nil || got != 99 || got.String() != "TYPE99" {
		t.Errorf("TypeByName(TYPE99) = %v, %v", got, err)
	}
	if _, err := TypeByName("NOPE"); err == nil {
		t.Error("TypeByName accepted NOPE")
	}
	if TypeSTEALTH < 0xFFFF0000 {
		t.Errorf("STEALTH type %d is outside the private-use range", uint32(TypeSTEALTH))
	}
}

func TestParseTypedValue(t *testing.T) {
	typ, data, err := ParseTypedValue("MX 10,mail.example.com")
	if err != nil || typ != TypeMX || hex.EncodeToString(data) != "000a046d61696c076578616d706c6503636f6d00" {
		t.Errorf("ParseTypedValue = %v, %x, %v", typ, data, err)
	}
	if _, _, err := ParseTypedValue("A"); err == nil {
		t.Error("ParseTypedValue accepted a type without a value")
	}
}
