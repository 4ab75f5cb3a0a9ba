package transport

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func TestAppendFrameRejectsBadLengths(t *testing.T) {
	if _, err := AppendFrame(nil, nil); !errors.Is(err, ErrEmptyFrame) {
		t.Errorf("empty frame: got %v, want ErrEmptyFrame", err)
	}
	if _, err := AppendFrame(nil, make([]byte, MaxFrameSize+1)); !errors.Is(err, ErrFrameTooLong) {
		t.Errorf("oversize frame: got %v, want ErrFrameTooLong", err)
	}
	out, err := AppendFrame([]byte("x"), make([]byte, MaxFrameSize))
	if err != nil {
		t.Fatalf("maximal frame: %v", err)
	}
	if len(out) != 1+FrameHeaderSize+MaxFrameSize {
		t.Errorf("maximal frame encodes to %d bytes, want %d", len(out), 1+FrameHeaderSize+MaxFrameSize)
	}
}

func TestReadFrameLayout(t *testing.T) {
	stream := []byte{0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z'}
	fr := NewFrameReader(bytes.NewReader(stream))
	for _, want := range []string{"abc", "z"} {
		got, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
		if string(got) != want {
			t.Errorf("frame %q, want %q", got, want)
		}
	}
	if _, err := fr.ReadFrame(); err != io.EOF {
		t.Errorf("end of stream: got %v, want io.EOF", err)
	}
}

func TestReadFrameInvalidPrefixes(t *testing.T) {
	cases := map[string]struct {
		prefix uint32
		want   error
	}{
		"zero":          {0, ErrEmptyFrame},
		"one over max":  {MaxFrameSize + 1, ErrFrameTooLong},
		"largest value": {^uint32(0), ErrFrameTooLong},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			stream := binary.BigEndian.AppendUint32(nil, tc.prefix)
			_, err := NewFrameReader(bytes.NewReader(stream)).ReadFrame()
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReadFrameTruncatedPrefixes(t *testing.T) {
	encoded, err := AppendFrame(nil, []byte("hello, frame"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n < len(encoded); n++ {
		_, err := NewFrameReader(bytes.NewReader(encoded[:n])).ReadFrame()
		if err != io.ErrUnexpectedEOF {
			t.Errorf("prefix of %d bytes: got %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

// FuzzFrameReader decodes arbitrary streams. Every frame it returns must be
// non-empty, within MaxFrameSize, allocated no larger than its length, and
// re-encode to exactly the bytes it was decoded from.
func FuzzFrameReader(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 'x'})
	f.Add([]byte{0, 0, 0, 2, 'x'})
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3})
	f.Add([]byte{0, 1, 4, 0, 9})
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte{0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z', 0, 0})
	f.Fuzz(func(t *testing.T, stream []byte) {
		fr := NewFrameReader(bytes.NewReader(stream))
		var reencoded []byte
		for {
			frame, err := fr.ReadFrame()
			if err != nil {
				checkStreamEnd(t, stream, reencoded, err)
				return
			}
			if len(frame) == 0 || len(frame) > MaxFrameSize || cap(frame) != len(frame) {
				t.Fatalf("frame of length %d and capacity %d", len(frame), cap(frame))
			}
			reencoded, err = AppendFrame(reencoded, frame)
			if err != nil {
				t.Fatalf("re-encode decoded frame: %v", err)
			}
		}
	})
}

// checkStreamEnd checks that the frames decoded before err are a prefix of
// stream and that err matches what follows them.
func checkStreamEnd(t *testing.T, stream, reencoded []byte, err error) {
	if !bytes.HasPrefix(stream, reencoded) {
		t.Fatalf("re-encoded frames differ from the stream they came from")
	}
	rest := stream[len(reencoded):]
	switch {
	case len(rest) == 0:
		if err != io.EOF {
			t.Fatalf("clean end: got %v, want io.EOF", err)
		}
	case errors.Is(err, ErrEmptyFrame), errors.Is(err, ErrFrameTooLong):
		if len(rest) < FrameHeaderSize {
			t.Fatalf("invalid prefix reported with only %d bytes left", len(rest))
		}
	case err != io.ErrUnexpectedEOF:
		t.Fatalf("truncated stream: got %v, want io.ErrUnexpectedEOF", err)
	}
}
