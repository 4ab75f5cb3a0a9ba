package wire

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hush-overlay/hush/identity"
)

type appender interface{ Append([]byte) []byte }

// checkMessage parses data and, when it parses, checks that encoding
// returns the same bytes, and that every prefix shorter than fixed bytes
// fails with ErrMalformed. Prefixes of messages with a variable payload
// may parse, but then must encode back to themselves.
func checkMessage[M appender](t *testing.T, data []byte, fixed int, parse func([]byte) (M, error)) {
	m, err := parse(data)
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("parse error %v does not wrap ErrMalformed", err)
		}
		return
	}
	if got := m.Append(nil); !bytes.Equal(got, data) {
		t.Fatalf("round trip: got %x, want %x", got, data)
	}
	for n := range len(data) {
		p, err := parse(data[:n])
		if n < fixed && err == nil {
			t.Fatalf("prefix of %d bytes parsed", n)
		}
		if err == nil && !bytes.Equal(p.Append(nil), data[:n]) {
			t.Fatalf("prefix of %d bytes does not round trip", n)
		}
	}
}

func testCID() ConnID { return ConnID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16} }

func FuzzCreate(f *testing.F) {
	f.Add((&Create{CID: testCID(), Path: []identity.PeerID{{1}, {2}, {3}}}).Append(nil))
	f.Add((&Create{CID: testCID(), Path: []identity.PeerID{{1}, {2}}}).Append(nil))
	f.Add([]byte{byte(TypeCreate)})
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseCreate) })
}

func FuzzCreateAck(f *testing.F) {
	f.Add((&CreateAck{CID: testCID()}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseCreateAck) })
}

func FuzzBroken(f *testing.F) {
	f.Add((&Broken{CID: testCID()}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseBroken) })
}

func FuzzDestroy(f *testing.F) {
	f.Add((&Destroy{CID: testCID()}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseDestroy) })
}

func FuzzKeepalive(f *testing.F) {
	f.Add((&Keepalive{CID: testCID()}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseKeepalive) })
}

func FuzzKXInit(f *testing.F) {
	f.Add((&KXInit{CID: testCID(), Payload: []byte("noise message 1")}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, connHeaderSize+1, ParseKXInit) })
}

func FuzzKXResponse(f *testing.F) {
	f.Add((&KXResponse{CID: testCID(), Payload: []byte("noise message 2")}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, connHeaderSize+1, ParseKXResponse) })
}

func FuzzTunnelData(f *testing.F) {
	f.Add((&TunnelData{CID: testCID(), Payload: []byte("ciphertext")}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, connHeaderSize+1, ParseTunnelData) })
}

func FuzzChannelOpen(f *testing.F) {
	f.Add((&ChannelOpen{CTN: 7, Options: OptReliable | OptOrdered, T: 1700000000, Payload: []byte("hi")}).Append(nil))
	f.Add((&ChannelOpen{CTN: 1}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, channelOpenFixed, ParseChannelOpen) })
}

func FuzzChannelOpenAck(f *testing.F) {
	f.Add((&ChannelOpenAck{CTN: 7, WindowEnd: 64}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseChannelOpenAck) })
}

func FuzzChannelData(f *testing.F) {
	f.Add((&ChannelData{CTN: 7, Seq: 3, Flags: FlagFIN, Payload: []byte("data")}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, ChannelDataOverhead, ParseChannelData) })
}

func FuzzChannelAck(f *testing.F) {
	f.Add((&ChannelAck{CTN: 7, CumAck: 3, SACK: 0b101, WindowEnd: 67, Flags: FlagProbe}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseChannelAck) })
}

func FuzzChannelDestroy(f *testing.F) {
	f.Add((&ChannelDestroy{CTN: 7}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseChannelDestroy) })
}

func FuzzTunnelKeepalive(f *testing.F) {
	f.Add((&TunnelKeepalive{}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseTunnelKeepalive) })
}

func FuzzKXInitPayload(f *testing.F) {
	f.Add((&KXInitPayload{Clock: 1 << 60}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseKXInitPayload) })
}

func FuzzKXResponsePayload(f *testing.F) {
	f.Add((&KXResponsePayload{RatchetKey: [32]byte{9}}).Append(nil))
	f.Fuzz(func(t *testing.T, data []byte) { checkMessage(t, data, len(data), ParseKXResponsePayload) })
}

func TestPeekConnID(t *testing.T) {
	msg := (&Keepalive{CID: testCID()}).Append(nil)
	cid, err := PeekConnID(msg)
	if err != nil || cid != testCID() {
		t.Fatalf("PeekConnID = %v, %v", cid, err)
	}
	if _, err := PeekConnID((&TunnelKeepalive{}).Append(nil)); err == nil {
		t.Fatal("PeekConnID accepted a tunnel message")
	}
}
