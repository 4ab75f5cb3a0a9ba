package cadet

import (
	"time"

	"github.com/hush-overlay/hush/cadet/wire"
	"github.com/hush-overlay/hush/loop"
)

// Congestion control is NewReno-like, counted in messages: slow start
// from initialCwnd, additive increase above ssthresh, halving on loss seen
// through SACK (once per window), and a restart from one message after a
// retransmission timeout.
const (
	initialCwnd  = 4.0
	minSsthresh  = 2.0
	dupThreshold = 3 // SACKed messages above a hole that mark it lost
	maxPersist   = 4 * time.Second
)

// segment is a sent message waiting for its acknowledgement.
type segment struct {
	seq     uint32
	data    []byte
	fin     bool
	sentAt  time.Time
	retrans bool
	sacked  bool
	lost    bool // waiting for retransmission after a timeout
	sackRtx bool // retransmitted because of SACK; only a timeout resends it again
}

// sender is the sending half of a channel. Sequence numbers start at 1
// because the open carries message 0.
type sender struct {
	ch           *channel
	pending      [][]byte
	pendingBytes int
	finQueued    bool
	finSent      bool
	finSeq       uint32

	next      uint32     // next new sequence number
	una       uint32     // oldest unacknowledged
	inflight  []*segment // inflight[i].seq == una+i
	windowEnd uint32     // peer's window: send only seq < windowEnd

	cwnd, ssthresh float64
	recoveryEnd    uint32 // no second halving before this seq is acked
	rtt            rttEstimator
	rto            loop.Timer
	persist        loop.Timer
	persistTries   uint
	lastProgress   time.Time
}

// seqLess compares sequence numbers with wraparound (RFC 1982 style).
func seqLess(a, b uint32) bool { return int32(a-b) < 0 }

func (s *sender) init(ch *channel) {
	s.ch, s.next, s.una, s.windowEnd = ch, 1, 1, 1+initialPeerWindow
	s.cwnd, s.ssthresh = initialCwnd, 1e9
	s.recoveryEnd = 1
}

// initialPeerWindow is the accepting side's assumption about the opener's
// window until the opener's first CHANNEL_ACK states it.
const initialPeerWindow = 8

func (s *sender) e() *Engine { return s.ch.t.e }

// write queues p. A byte stream coalesces small writes into segments; the
// other modes keep each write as one message.
func (s *sender) write(p []byte) int {
	room := s.e().cfg.SendBuffer - s.pendingBytes
	if s.ch.rel != ReliableOrdered {
		if len(p) > room && s.pendingBytes > 0 {
			return 0
		}
		s.pending = append(s.pending, append([]byte(nil), p...))
		s.pendingBytes += len(p)
		return len(p)
	}
	n := min(len(p), max(room, 0))
	s.appendStream(p[:n])
	return n
}

func (s *sender) appendStream(p []byte) {
	s.pendingBytes += len(p)
	for len(p) > 0 {
		last := len(s.pending) - 1
		if last < 0 || len(s.pending[last]) >= streamSegment {
			s.pending = append(s.pending, make([]byte, 0, min(len(p), streamSegment)))
			last++
		}
		n := min(len(p), streamSegment-len(s.pending[last]))
		s.pending[last] = append(s.pending[last], p[:n]...)
		p = p[n:]
	}
}

func (s *sender) queueFIN() { s.finQueued = true }

func (s *sender) finAcked() bool { return s.finSent && seqLess(s.finSeq, s.una) }

// outstanding counts messages in the network: sent, not yet acknowledged
// or SACKed, and not marked lost.
func (s *sender) outstanding() int {
	n := 0
	for _, seg := range s.inflight {
		if !seg.sacked && !seg.lost {
			n++
		}
	}
	return n
}

// resendLost retransmits messages marked lost by a timeout, oldest first,
// as the congestion window allows.
func (s *sender) resendLost() {
	for _, seg := range s.inflight {
		if float64(s.outstanding()) >= s.cwnd || !s.ch.t.hasDataRoom() {
			return
		}
		if seg.lost && !seg.sacked {
			seg.lost, seg.retrans = false, true
			s.transmit(seg)
		}
	}
}

// pump sends new messages while the peer's window and the congestion
// window allow. Unreliable messages go out at once.
func (s *sender) pump() {
	if !s.ch.t.canSend() {
		s.ch.t.checkStepPending()
		return
	}
	if s.ch.rel == Unreliable {
		s.pumpDatagrams()
		return
	}
	s.resendLost()
	freed := false
	for len(s.pending) > 0 || (s.finQueued && !s.finSent) {
		if !seqLess(s.next, s.windowEnd) {
			s.armPersist()
			break
		}
		if float64(s.outstanding()) >= s.cwnd || !s.ch.t.hasDataRoom() {
			break
		}
		s.sendNext()
		freed = true
	}
	if freed {
		s.ch.app.notifyWritable()
	}
}

func (s *sender) pumpDatagrams() {
	for _, p := range s.pending {
		s.transmit(&segment{seq: s.next, data: p})
		s.e().stats.BytesSent += uint64(len(p))
		s.next++
	}
	s.pending, s.pendingBytes = nil, 0
	s.ch.app.notifyWritable()
}

// sendNext sends the next pending message, or FIN once all are sent.
func (s *sender) sendNext() {
	seg := &segment{seq: s.next}
	if len(s.pending) > 0 {
		seg.data = s.pending[0]
		s.pending = s.pending[1:]
		s.pendingBytes -= len(seg.data)
		s.e().stats.BytesSent += uint64(len(seg.data))
	} else {
		seg.fin, s.finSent, s.finSeq = true, true, s.next
	}
	if len(s.inflight) == 0 {
		s.lastProgress = s.e().now()
	}
	s.next++
	s.inflight = append(s.inflight, seg)
	s.transmit(seg)
	s.armRTO(false)
}

func (s *sender) transmit(seg *segment) {
	if seg.retrans {
		s.e().stats.Retransmits++
	}
	seg.sentAt = s.e().now()
	m := &wire.ChannelData{CTN: s.ch.ctn, Seq: seg.seq, Payload: seg.data}
	if seg.fin {
		m.Flags = wire.FlagFIN
	}
	s.ch.t.sendTunnel(m.Append(nil))
}

// receiveAck applies the peer's acknowledgement and window.
func (ch *channel) receiveAck(m *wire.ChannelAck) {
	if ch.state != chanOpen {
		return
	}
	s := &ch.snd
	if seqLess(s.windowEnd, m.WindowEnd) {
		s.windowEnd = m.WindowEnd
		s.persistTries = 0
	}
	if s.applyAck(m) {
		s.lastProgress = s.e().now()
	}
	if m.Flags&wire.FlagProbe != 0 {
		ch.rcv.sendAck(ch, 0)
	}
	s.pump()
	ch.maybeFinish()
}

// applyAck removes acknowledged messages, takes an RTT sample, grows the
// congestion window and retransmits holes that SACK shows lost. It reports
// whether anything new was acknowledged.
func (s *sender) applyAck(m *wire.ChannelAck) bool {
	now := s.e().now()
	sample, newly := s.ackCumulative(m.CumAck, now)
	sackSample, sacked := s.ackSelective(m.CumAck, m.SACK, now)
	if sackSample > 0 {
		sample = sackSample
	}
	newly += sacked
	if sample > 0 {
		s.rtt.sample(sample)
	}
	if newly > 0 {
		s.rtt.backoff = 0
	}
	s.grow(newly)
	s.retransmitLost(now)
	s.armRTO(newly > 0)
	return newly > 0
}

// ackCumulative drops messages below cumAck from the flight. It returns
// an RTT sample from the newest of them sent only once, and how many were
// not SACKed before.
func (s *sender) ackCumulative(cumAck uint32, now time.Time) (sample time.Duration, newly int) {
	for len(s.inflight) > 0 && seqLess(s.inflight[0].seq, cumAck) && !seqLess(s.next, cumAck) {
		seg := s.inflight[0]
		if !seg.retrans && !seg.sacked {
			sample = now.Sub(seg.sentAt)
		}
		if !seg.sacked {
			newly++
		}
		s.inflight = s.inflight[1:]
		s.una = seg.seq + 1
	}
	return sample, newly
}

// ackSelective marks messages SACKed, where bit i is message cumAck+1+i. It
// returns an RTT sample and how many were newly marked.
func (s *sender) ackSelective(cumAck uint32, sack uint64, now time.Time) (sample time.Duration, newly int) {
	for _, seg := range s.inflight {
		bit := seg.seq - cumAck - 1
		if bit >= 64 || sack&(1<<bit) == 0 || seg.sacked {
			continue
		}
		seg.sacked = true
		newly++
		if !seg.retrans {
			sample = now.Sub(seg.sentAt)
		}
	}
	return sample, newly
}

func (s *sender) grow(acked int) {
	for range acked {
		if s.cwnd < s.ssthresh {
			s.cwnd++
		} else {
			s.cwnd += 1 / s.cwnd
		}
	}
	s.cwnd = min(s.cwnd, float64(s.e().cfg.ReceiveWindow))
}

// retransmitLost resends, once, each unSACKed message with at least
// dupThreshold SACKed messages above it that was last sent over one SRTT
// ago, and halves the congestion window once per window of data. A
// message lost again waits for the retransmission timeout.
func (s *sender) retransmitLost(now time.Time) {
	sackedAbove := 0
	for i := len(s.inflight) - 1; i >= 0; i-- {
		seg := s.inflight[i]
		if seg.sacked {
			sackedAbove++
			continue
		}
		if seg.sackRtx || sackedAbove < dupThreshold || now.Sub(seg.sentAt) < s.rtt.smoothed() {
			continue
		}
		s.enterRecovery()
		seg.retrans, seg.lost, seg.sackRtx = true, false, true
		s.transmit(seg)
	}
}

func (s *sender) enterRecovery() {
	if seqLess(s.una, s.recoveryEnd) {
		return
	}
	s.ssthresh = max(float64(s.outstanding())/2, minSsthresh)
	s.cwnd = s.ssthresh
	s.recoveryEnd = s.next
}

// armRTO (re)starts the retransmission timer while messages are in
// flight. restart moves a running timer, as RFC 6298 section 5.3 requires
// when new data is acknowledged. RFC 6298 keeps a backed-off timeout until
// a new RTT sample arrives. Here any newly acknowledged or SACKed message
// clears the backoff (see applyAck), so that a path repaired after several
// timeouts recovers at once instead of at the backed-off pace.
func (s *sender) armRTO(restart bool) {
	if len(s.inflight) == 0 {
		stopTimer(&s.rto)
		return
	}
	if s.rto != nil && !restart {
		return
	}
	stopTimer(&s.rto)
	s.rto = s.e().env.After(s.rtt.rto(), s.rtoFired)
}

// rtoFired marks every unSACKed message lost, restarts slow start from
// one message and doubles the timeout. Then pump retransmits the lost
// messages as acknowledgements open the congestion window. A channel
// without progress for giveUpAfter is destroyed.
func (s *sender) rtoFired() {
	s.rto = nil
	if len(s.inflight) == 0 {
		return
	}
	if s.e().now().Sub(s.lastProgress) > giveUpAfter {
		s.ch.fail(errGiveUp)
		return
	}
	s.e().stats.Timeouts++
	s.ssthresh = max(float64(s.outstanding())/2, minSsthresh)
	s.cwnd = 1
	s.recoveryEnd = s.next
	s.rtt.expired()
	for _, seg := range s.inflight {
		// A message sent before the timeout gives no RTT sample any more:
		// its acknowledgement could belong to either transmission.
		seg.lost = !seg.sacked
		seg.retrans = seg.retrans || seg.lost
		seg.sackRtx = false
	}
	s.resendLost()
	s.armRTO(true)
}

// pathChanged retransmits at once after the tunnel gained a connection:
// messages in flight were likely lost with the old path, and the backed-off
// timeout tells nothing about the new one.
func (s *sender) pathChanged() {
	if s.ch.state != chanOpen || len(s.inflight) == 0 {
		return
	}
	s.rtt.backoff = 0
	stopTimer(&s.rto)
	s.rtoFired()
}

// armPersist probes a closed window, so a lost window update cannot stall
// the channel.
func (s *sender) armPersist() {
	if s.persist != nil || len(s.inflight) > 0 {
		return
	}
	d := min(s.rtt.rto()<<min(s.persistTries, 8), maxPersist)
	s.persist = s.e().env.After(d, func() {
		s.persist = nil
		if s.ch.state != chanOpen || seqLess(s.next, s.windowEnd) {
			return
		}
		s.persistTries++
		s.ch.rcv.sendAck(s.ch, wire.FlagProbe)
		s.armPersist()
	})
}

func (s *sender) stop() {
	stopTimer(&s.rto)
	stopTimer(&s.persist)
	s.pending, s.inflight = nil, nil
}
