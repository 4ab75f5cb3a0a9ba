package simulation

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/hush-overlay/hush/cadet"
	"github.com/hush-overlay/hush/loop"
)

// Parameters of the CADET workload.
const (
	cadetPublicPort  = "sim"
	cadetStealthPort = "sim-stealth"
	// cadetTransferBytes is what each channel carries after it opens, to
	// measure goodput.
	cadetTransferBytes = 64 << 10
	// cadetOpenTimeout bounds a channel open. A stealth probe without a
	// reply by then counts as silent.
	cadetOpenTimeout = 30 * time.Second
	// cadetTransferTimeout is the time the workload leaves for a transfer
	// after its open before the run ends.
	cadetTransferTimeout = 60 * time.Second
	// cadetHeaderSize is the operation number that starts every stream.
	cadetHeaderSize = 4
	// cadetAnnounceLead is how long before the first channel the peers
	// announce themselves for path discovery.
	cadetAnnounceLead = 5 * time.Second
	// cadetPairTries bounds the draws for a pair without a direct link.
	cadetPairTries = 20
)

// probeKind names the defect of a stealth probe's token.
type probeKind int

const (
	probeWrongToken probeKind = iota
	probeMissingToken
	// probeStaleToken carries the right secret from a peer whose CADET
	// clock runs cadetStaleSkew ahead, so its token's time is outside the
	// responder's window.
	probeStaleToken
	// probeReplayedToken first opens a channel with a valid token, then
	// sends that open's token again on a new channel of the same tunnel.
	probeReplayedToken
	probeKinds
)

// cadetStaleSkew is the clock offset of stale probers: more than CADET's
// default stealth window of 2 minutes.
const cadetStaleSkew = 5 * time.Minute

// cadetStaleProbers is how many honest peers run their CADET engine with a
// skewed clock. They send the stale probes and take no part in channels.
const cadetStaleProbers = 2

// skewedEnv is a loop.Env whose clock runs skew ahead.
type skewedEnv struct {
	loop.Env
	skew time.Duration
}

func (e skewedEnv) Now() time.Time { return e.Env.Now().Add(e.skew) }

// markStaleProbers picks the stale probers among the honest peers. It runs
// before the peers start, because the skew is set when the engine is made.
func (w *world) markStaleProbers() {
	if w.cfg.Workload != WorkloadCADET {
		return
	}
	honest := w.honestPeers()
	if len(honest) < cadetStaleProbers+2 {
		return
	}
	for _, i := range w.rng.Perm(len(honest))[:cadetStaleProbers] {
		honest[i].staleClock = true
	}
}

// channelPeers returns the honest peers with a true clock.
func (w *world) channelPeers() []*peer {
	var out []*peer
	for _, p := range w.honestPeers() {
		if !p.staleClock {
			out = append(out, p)
		}
	}
	return out
}

func (w *world) staleProbers() []*peer {
	var out []*peer
	for _, p := range w.peers {
		if p.staleClock {
			out = append(out, p)
		}
	}
	return out
}

// cadetRun is the state of the CADET workload.
type cadetRun struct {
	channels int
	opened   int
	openMs   []float64
	pathHops []float64
	goodput  []float64
	probes   int
	replayed int // replay probes whose first, valid open succeeded
	replies  int
	openedAt map[uint32]time.Duration
}

// stealthSecret derives peer index's stealth port secret from the seed.
func stealthSecret(seed uint64, index int) *[32]byte {
	var b [24]byte
	copy(b[:], "hush-sim-stealth")
	binary.LittleEndian.PutUint64(b[16:], seed^uint64(index)<<32)
	s := sha256.Sum256(append(b[:], byte(index), byte(index>>8), byte(index>>16)))
	return &s
}

// listenCADET opens p's public and stealth ports. Each accepted channel's
// stream starts with the operation number, followed by
// cadetTransferBytes of payload, whose arrival ends the goodput clock.
func (w *world) listenCADET(p *peer) error {
	accept := func(ch *cadet.Channel) { w.receiveTransfer(p, ch) }
	if _, err := p.services.cadet.ListenPort(cadetPublicPort, nil, accept); err != nil {
		return err
	}
	_, err := p.services.cadet.ListenPort(cadetStealthPort, stealthSecret(w.cfg.Seed, p.index), accept)
	return err
}

func (w *world) receiveTransfer(p *peer, ch *cadet.Channel) {
	var header []byte
	received := 0
	buf := make([]byte, 16<<10)
	ch.OnReadable = func() {
		for {
			n, err := ch.Read(buf)
			if n == 0 || err != nil {
				return
			}
			if len(header) < cadetHeaderSize {
				take := min(n, cadetHeaderSize-len(header))
				header = append(header, buf[:take]...)
				n -= take
			}
			received += n
			if received >= cadetTransferBytes && len(header) == cadetHeaderSize {
				w.transferDone(binary.BigEndian.Uint32(header))
				ch.Close()
				return
			}
		}
	}
}

// transferDone records the goodput of operation op, from the channel's
// open to the arrival of its last byte.
func (w *world) transferDone(op uint32) {
	start, ok := w.cadetRun.openedAt[op]
	if !ok {
		return
	}
	delete(w.cadetRun.openedAt, op)
	if elapsed := w.sim.Elapsed() - start; elapsed > 0 {
		w.cadetRun.goodput = append(w.cadetRun.goodput, cadetTransferBytes/elapsed.Seconds())
	}
}

// startCADET schedules Ops channels between random honest pairs without a
// direct link, when the graph has such pairs. Half of them go to the public
// port and half to the stealth port with the right token. Ops/2 stealth
// probes carry a wrong or missing token.
func (w *world) startCADET() error {
	last := w.cfg.Duration - cadetOpenTimeout - cadetTransferTimeout
	if last <= w.workloadStart() {
		return errorf("duration %v is too short for the cadet workload: it needs more than %v", w.cfg.Duration, w.workloadStart()+cadetOpenTimeout+cadetTransferTimeout)
	}
	honest := w.channelPeers()
	if len(honest) < 2 {
		return errorf("the cadet workload needs at least 2 honest peers, got %d", len(honest))
	}
	w.cadetRun = &cadetRun{openedAt: make(map[uint32]time.Duration)}
	for _, p := range w.honestPeers() {
		w.sim.Schedule(w.workloadStart()-cadetAnnounceLead, func() { w.announce(p) })
	}
	for i, at := range spreadOps(w.cfg.Ops, w.workloadStart(), last) {
		from, to := w.distantPair(honest)
		op := uint32(i)
		w.sim.Schedule(at, func() { w.openChannel(from, to, op) })
		if i%2 == 0 {
			kind := probeKind(i / 2 % int(probeKinds))
			from, to := w.distantPair(honest)
			if probers := w.staleProbers(); kind == probeStaleToken && len(probers) > 0 {
				from = probers[w.rng.IntN(len(probers))]
			}
			w.sim.Schedule(at+time.Second, func() { w.probe(from, to, kind) })
		}
	}
	return nil
}

// distantPair returns two honest peers without a topology edge between
// them, or any two after cadetPairTries draws.
func (w *world) distantPair(honest []*peer) (*peer, *peer) {
	a, b := w.pickPair(honest)
	for range cadetPairTries {
		if !w.graph.HasEdge(a.index, b.index) {
			break
		}
		a, b = w.pickPair(honest)
	}
	return a, b
}

func (w *world) openChannel(from, to *peer, op uint32) {
	run := w.cadetRun
	run.channels++
	if w.offline[from.index] {
		return
	}
	port, opts := cadetPublicPort, cadet.OpenOptions{Reliability: cadet.ReliableOrdered}
	if op%2 == 1 {
		port, opts.Secret = cadetStealthPort, stealthSecret(w.cfg.Seed, to.index)
	}
	start := w.sim.Elapsed()
	var timer loop.Timer
	cancel := from.services.cadet.Open(to.id, port, opts, func(ch *cadet.Channel, err error) {
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return
		}
		run.opened++
		run.openMs = append(run.openMs, milliseconds(w.sim.Elapsed()-start))
		run.pathHops = append(run.pathHops, w.pathHops(from, to))
		run.openedAt[op] = w.sim.Elapsed()
		w.sendTransfer(ch, op)
	})
	timer = from.env.After(cadetOpenTimeout, cancel)
}

// pathHops returns the hop count of the shortest ready connection of
// from's tunnel to to.
func (w *world) pathHops(from, to *peer) float64 {
	best := 0
	for _, t := range from.services.cadet.Tunnels() {
		if t.Peer != to.id {
			continue
		}
		for _, c := range t.Connections {
			if hops := len(c) - 1; best == 0 || hops < best {
				best = hops
			}
		}
	}
	return float64(best)
}

// sendTransfer writes the operation number and cadetTransferBytes of
// payload as the send buffer allows, then closes the channel.
func (w *world) sendTransfer(ch *cadet.Channel, op uint32) {
	data := make([]byte, cadetHeaderSize+cadetTransferBytes)
	binary.BigEndian.PutUint32(data, op)
	sent := 0
	pump := func() {
		for sent < len(data) {
			n, err := ch.Write(data[sent:])
			sent += n
			if n == 0 || err != nil {
				return
			}
		}
		ch.Close()
	}
	ch.OnWritable = pump
	pump()
}

// probe opens a channel to to's stealth port with a bad token. A stealth
// port must not reply, so any channel that opens counts as a reply.
func (w *world) probe(from, to *peer, kind probeKind) {
	run := w.cadetRun
	run.probes++
	if w.offline[from.index] {
		return
	}
	if kind == probeReplayedToken {
		w.probeReplay(from, to)
		return
	}
	opts := cadet.OpenOptions{Reliability: cadet.ReliableOrdered}
	switch kind {
	case probeWrongToken:
		wrong := *stealthSecret(w.cfg.Seed, to.index)
		wrong[0] ^= 1
		opts.Secret = &wrong
	case probeStaleToken:
		opts.Secret = stealthSecret(w.cfg.Seed, to.index)
	}
	w.sendProbe(from, to, opts)
}

// sendProbe opens a channel that must get no reply.
func (w *world) sendProbe(from, to *peer, opts cadet.OpenOptions) {
	run := w.cadetRun
	cancel := from.services.cadet.Open(to.id, cadetStealthPort, opts, func(ch *cadet.Channel, err error) {
		if err == nil {
			run.replies++
			ch.Destroy()
		} else if !errors.Is(err, cadet.ErrNoAnswer) && !errors.Is(err, cadet.ErrNoPath) {
			w.cfg.Log.Debug("simulation: probe ended", "from", from.index, "to", to.index, "err", err)
		}
	})
	from.env.After(cadetOpenTimeout, cancel)
}

// probeReplay opens a channel with the right secret, as a holder of the
// name would, closes it, and sends its token again on a new channel. The
// first open is no probe and may succeed; the replay must get no reply.
// A first open that fails, or that was retransmitted, leaves no known
// token to replay, and the probe counts as silent.
func (w *world) probeReplay(from, to *peer) {
	opts := cadet.OpenOptions{Reliability: cadet.ReliableOrdered, Secret: stealthSecret(w.cfg.Seed, to.index)}
	var timer loop.Timer
	cancel := from.services.cadet.Open(to.id, cadetStealthPort, opts, func(ch *cadet.Channel, err error) {
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return
		}
		token := ch.Token()
		ch.Destroy()
		if token == (cadet.Token{}) {
			return // the open was retransmitted: which token the peer saw is unknown
		}
		w.cadetRun.replayed++
		w.sendProbe(from, to, cadet.OpenOptions{Reliability: cadet.ReliableOrdered, Replay: &token})
	})
	timer = from.env.After(cadetOpenTimeout, cancel)
}

func (w *world) fillCADET(r *Report) {
	run := w.cadetRun
	r.CADET = &CADETReport{
		Channels:            run.channels,
		OpenSuccessRate:     ratio(run.opened, run.channels),
		OpenLatencyP50Ms:    percentile(slices.Clone(run.openMs), 50),
		PathLengthP50:       percentile(slices.Clone(run.pathHops), 50),
		GoodputP50BytesPerS: percentile(slices.Clone(run.goodput), 50),
		Probes:              run.probes,
		ProbeReplies:        run.replies,
		ReplayedTokens:      run.replayed,
	}
	for _, p := range w.peers {
		if e := p.services.cadet; e != nil {
			r.CADET.Refused = addRefused(r.CADET.Refused, e.Stats().Refused)
		}
	}
}

func addRefused(a, b cadet.RefusedOpens) cadet.RefusedOpens {
	a.Malformed += b.Malformed
	a.UnknownPort += b.UnknownPort
	a.BadToken += b.BadToken
	a.Stale += b.Stale
	a.Replay += b.Replay
	a.Limit += b.Limit
	return a
}
