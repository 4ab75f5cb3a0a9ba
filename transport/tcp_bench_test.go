package transport

import (
	"io"
	"net"
	"testing"
)

const benchFrameSize = 64 << 10

// BenchmarkTCPFrames64K measures one-way throughput of 64 KiB frames between
// two TCP transports over loopback, each on its own loop. The sender keeps
// at most benchWindow frames outstanding, so the queue never fills.
func BenchmarkTCPFrames64K(b *testing.B) {
	const benchWindow = 48
	sender := newPeer(b, TCPConfig{SendQueueBytes: 4 << 20})
	receiver := newPeer(b, TCPConfig{})
	dialled, _ := connect(b, sender, receiver)
	frame := make([]byte, benchFrameSize)

	b.SetBytes(benchFrameSize)
	b.ResetTimer()
	sent, received := 0, 0
	for received < b.N {
		// Refilling only when half the window is free keeps loop.Call round
		// trips, which the transport does not need, out of the measurement.
		if n := min(b.N-sent, benchWindow-(sent-received)); n >= benchWindow/2 || sent-received == 0 {
			var err error
			sender.call(func() { err = sendAll(dialled, frame, n) })
			if err != nil {
				b.Fatalf("send frame %d (received %d): %v; sender %+v", sent, received, err, sender.tcp.Stats())
			}
			sent += n
		}
		receiver.rec.next(b, evReceived)
		received++
	}
}

func sendAll(c Conn, frame []byte, n int) error {
	for range n {
		if err := c.Send(frame); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkRawTCP64K is the baseline for BenchmarkTCPFrames64K: the same
// bytes written and read on a plain loopback socket, with no framing, loop
// or queue.
func BenchmarkRawTCP64K(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer nc.Close()
		buf := make([]byte, FrameHeaderSize+benchFrameSize)
		for range b.N {
			if _, err := io.ReadFull(nc, buf); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	buf := make([]byte, FrameHeaderSize+benchFrameSize)

	b.SetBytes(benchFrameSize)
	b.ResetTimer()
	for range b.N {
		if _, err := nc.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
