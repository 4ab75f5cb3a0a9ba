package wire

import (
	"github.com/hush-overlay/hush/hello"
)

// Hello gives a neighbour our signed HELLO, so it can hand our addresses to
// peers looking for HELLOs near our position (R5N HelloMessage).
//
//	+------+-----------------------------------------+
//	| 4    | HELLO in the wire form of package hello |
//	+------+-----------------------------------------+
type Hello struct {
	Hello *hello.Hello
}

// Append appends the wire form of m to b.
func (m *Hello) Append(b []byte) []byte {
	return m.Hello.Append(append(b, byte(TypeHello)))
}

// ParseHello decodes a HELLO message and verifies the HELLO's signature.
func ParseHello(b []byte) (*Hello, error) {
	r := &reader{b: b}
	r.header(TypeHello)
	if r.err != nil {
		return nil, r.err
	}
	h, err := hello.Parse(r.rest())
	if err != nil {
		return nil, malformed("%v", err)
	}
	return &Hello{Hello: h}, nil
}
