package simulation

import "time"

// workloadStart is when workloads begin: after the topology's links had
// time to come up and the DHT had time to fill its routing tables.
func (w *world) workloadStart() time.Duration {
	return 2*w.dialSpread() + 10*time.Second
}

func (w *world) startWorkload() error {
	switch w.cfg.Workload {
	case WorkloadDHT:
		return w.startDHTWorkload()
	case WorkloadGNS:
		return w.startGNS()
	case WorkloadCADET:
		return w.startCADET()
	}
	return nil
}

func (w *world) fillWorkload(r *Report) {
	switch w.cfg.Workload {
	case WorkloadDHT:
		w.fillDHTWorkload(r)
	case WorkloadGNS:
		w.fillGNS(r)
	case WorkloadCADET:
		w.fillCADET(r)
	}
}

// spreadOps returns ops start times spread evenly over [from, to).
func spreadOps(ops int, from, to time.Duration) []time.Duration {
	times := make([]time.Duration, ops)
	if ops == 0 || to <= from {
		return times
	}
	step := (to - from) / time.Duration(ops)
	for i := range times {
		times[i] = from + time.Duration(i)*step
	}
	return times
}

// outcomes collects operation outcomes and turns them into percentiles.
type outcomes struct {
	attempts  int
	successes int
	latencyMs []float64
	hops      []float64
}

func (o *outcomes) record(ok bool, latency time.Duration, hops int) {
	o.attempts++
	if !ok {
		return
	}
	o.successes++
	o.latencyMs = append(o.latencyMs, milliseconds(latency))
	if hops >= 0 {
		o.hops = append(o.hops, float64(hops))
	}
}
