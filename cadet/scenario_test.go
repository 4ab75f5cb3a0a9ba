package cadet

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hush-overlay/hush/loop"
)

// sink collects everything a channel delivers, reading as soon as data is
// readable unless paused.
type sink struct {
	ch     *Channel
	buf    bytes.Buffer
	eof    bool
	err    error
	paused bool
}

func (s *sink) attach(ch *Channel) {
	s.ch = ch
	ch.OnReadable = s.drain
	s.drain()
}

func (s *sink) drain() {
	if s.paused {
		return
	}
	p := make([]byte, 32<<10)
	for {
		n, err := s.ch.Read(p)
		s.buf.Write(p[:n])
		if errors.Is(err, io.EOF) {
			if !s.eof {
				s.eof = true
				s.ch.Close()
			}
			return
		}
		if err != nil {
			s.err = err
			return
		}
		if n == 0 {
			return
		}
	}
}

// source writes data to a channel as space frees up, then closes it.
type source struct {
	ch    *Channel
	data  []byte
	close bool
}

func (s *source) attach(ch *Channel) {
	s.ch = ch
	ch.OnWritable = s.fill
	s.fill()
}

func (s *source) fill() {
	for len(s.data) > 0 {
		n, err := s.ch.Write(s.data)
		if err != nil || n == 0 {
			return
		}
		s.data = s.data[n:]
	}
	if s.close {
		s.close = false
		s.ch.Close()
	}
}

// listenSink makes peer p accept channels on port into a new sink.
func listenSink(t testing.TB, p *fakePeer, port string, secret *[32]byte) *sink {
	s := &sink{}
	if _, err := p.engine.ListenPort(port, secret, s.attach); err != nil {
		t.Fatal(err)
	}
	return s
}

func testData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// transfer opens a channel from a to port on b, sends data and closes.
// It returns the sink at b after running the Sim for d.
func transfer(t testing.TB, sim *loop.Sim, a, b *fakePeer, data []byte, opts OpenOptions, d time.Duration) (*sink, *Channel, error) {
	t.Helper()
	s := listenSink(t, b, "bulk", opts.Secret)
	var ch *Channel
	var openErr error
	a.engine.Open(b.id, "bulk", opts, func(c *Channel, err error) {
		ch, openErr = c, err
		if err == nil {
			(&source{data: data, close: true}).attach(c)
		}
	})
	sim.RunFor(d)
	return s, ch, openErr
}

func testConfig() Config {
	return Config{KeepaliveInterval: time.Second}
}

func TestTransferDirect(t *testing.T) {
	sim := loop.NewSim(1)
	net := newSimNet(t, sim, 2, testConfig())
	net.chain(10 * time.Millisecond)
	data := testData(300 << 10)
	s, ch, err := transfer(t, sim, net.order[0], net.order[1], data, OpenOptions{}, 30*time.Second)
	if err != nil || ch == nil {
		t.Fatalf("open: %v", err)
	}
	checkDelivered(t, s, data)
}

func TestTransferTwoRelays(t *testing.T) {
	sim := loop.NewSim(1)
	net := newSimNet(t, sim, 4, testConfig())
	net.chain(10 * time.Millisecond)
	data := testData(300 << 10)
	s, _, err := transfer(t, sim, net.order[0], net.order[3], data, OpenOptions{}, 30*time.Second)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	checkDelivered(t, s, data)
	info := net.order[0].engine.Tunnels()
	if len(info) != 1 || len(info[0].Connections) == 0 || len(info[0].Connections[0]) != 4 {
		t.Fatalf("tunnel info %+v, want one connection over a path of 4 peers", info)
	}
}

func checkDelivered(t testing.TB, s *sink, data []byte) {
	t.Helper()
	if s.err != nil {
		t.Fatalf("receiver error: %v", s.err)
	}
	if !bytes.Equal(s.buf.Bytes(), data) {
		t.Fatalf("received %d bytes, want %d (equal prefix %d)", s.buf.Len(), len(data), commonPrefix(s.buf.Bytes(), data))
	}
	if !s.eof {
		t.Fatal("no EOF after the sender closed")
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
