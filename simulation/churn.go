package simulation

import (
	"math"
	"math/rand/v2"
	"time"
)

// meanDowntime is how long a churned peer stays offline on average.
const meanDowntime = time.Minute

// churner takes random online peers offline as a Poisson process of rate
// Config.Churn * peers per virtual minute, and brings each back after an
// exponentially distributed downtime. It runs on the simulation goroutine.
type churner struct {
	w      *world
	rng    *rand.Rand
	rate   float64 // departures per second
	events int
}

func newChurner(w *world, churn float64) *churner {
	return &churner{
		w:    w,
		rng:  rand.New(rand.NewPCG(w.cfg.Seed, 0x636875726e)), // "churn"
		rate: churn * float64(len(w.peers)) / time.Minute.Seconds(),
	}
}

// start arms the first departure after from, once links had time to form.
func (c *churner) start(from time.Duration) {
	if c.rate <= 0 {
		return
	}
	c.w.sim.Schedule(from+c.exponential(1/c.rate), c.depart)
}

func (c *churner) exponential(mean float64) time.Duration {
	return time.Duration(-math.Log(1-c.rng.Float64()) * mean * float64(time.Second))
}

func (c *churner) depart() {
	c.w.sim.Schedule(c.exponential(1/c.rate), c.depart)
	p := c.w.peers[c.rng.IntN(len(c.w.peers))]
	if c.w.offline[p.index] {
		return
	}
	c.events++
	c.w.setOnline(p, false)
	c.w.sim.Schedule(c.exponential(meanDowntime.Seconds()), func() {
		c.events++
		c.w.setOnline(p, true)
	})
}
