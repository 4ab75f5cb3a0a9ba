package simulation

import (
	"github.com/hush-overlay/hush/transport/memnet"
)

// newNetwork builds the memnet network of a run. The drop hook and the dial
// filter cut off offline peers (churn). The dial filter also keeps the
// peers of a restricted topology to their fixed neighbours.
func (w *world) newNetwork() {
	w.net = memnet.New(w.sim, memnet.Config{
		Link: memnet.LinkConfig{
			Latency:        w.cfg.Latency,
			Loss:           w.cfg.Loss,
			BytesPerSecond: int64(w.cfg.Bandwidth),
		},
		Seed: w.cfg.Seed,
	})
	w.offline = make([]bool, w.cfg.Peers)
	w.net.SetDropHook(func(from, to int, _ []byte) bool {
		return w.offline[from] || w.offline[to]
	})
	w.net.SetDialFilter(w.allowDial)
}

func (w *world) allowDial(from, to int) bool {
	if w.offline[from] || w.offline[to] {
		return false
	}
	return w.cfg.Topology != Restricted || w.graph.HasEdge(from, to)
}

// fillNetwork copies memnet's frame counters into r.
func (w *world) fillNetwork(r *Report) {
	st := w.net.Stats()
	r.Messages, r.Bytes = st.Sent.Frames, st.Sent.Bytes
	r.FramesLost = st.Lost.Frames + st.Partitioned.Frames + st.Hooked.Frames + st.Unreceived.Frames
}
