package cadet

import "fmt"

func dumpChannels(p *fakePeer) string {
	out := ""
	for _, t := range p.engine.tunnels {
		out += fmt.Sprintf("tunnel %s conns=%d queue=%d canSend=%v rat=%v\n", t.state(), len(t.conns), len(t.queue), t.canSend(), t.rat != nil)
		for _, ch := range t.channels {
			s, r := &ch.snd, &ch.rcv
			out += fmt.Sprintf(" ch %d state=%d pending=%d next=%d una=%d win=%d inflight=%d out=%d cwnd=%.1f rto=%v persist=%v | rb=%d cum=%d slots=%d\n",
				ch.ctn, ch.state, len(s.pending), s.next, s.una, s.windowEnd, len(s.inflight), s.outstanding(), s.cwnd, s.rto != nil, s.persist != nil, r.readBase, r.cumAck, len(r.slots))
		}
	}
	return out
}
