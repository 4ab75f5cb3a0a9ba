package revocation

import (
	"slices"

	"github.com/hush-overlay/hush/gns/zone"
)

// Search computes the proof of work for a signed proof in steps, so that
// a caller on an event loop can spread the work out. It starts no
// goroutines. Each step tries consecutive POW values and keeps the 32
// best. The search is done when their average number of leading zero
// bits reaches difficulty + epochs. The revocation is then valid for
// epochs + 1 epochs.
type Search struct {
	proof  *Proof
	target int
	next   uint64
	best   [PowCount]candidate
}

type candidate struct {
	pow  uint64
	bits int
}

// NewSearch prepares a search for p, trying POW values from start on.
// A random start keeps two searches for the same zone apart.
func NewSearch(p *Proof, difficulty, epochs int, start uint64) *Search {
	s := &Search{proof: p, target: difficulty + epochs, next: start}
	for i := range s.best {
		s.best[i].bits = -1
	}
	return s
}

// Step tries n POW values (each one Argon2id hash, a few milliseconds)
// and reports whether the proof is complete. When it is, the proof's POW
// values are set, in increasing order.
func (s *Search) Step(n int) bool {
	ts := zone.MicrosFromTime(s.proof.Timestamp)
	id := s.proof.Zone.ID()
	for range n {
		bits := leadingZeros(powHash(s.next, ts, id))
		s.offer(candidate{pow: s.next, bits: bits})
		s.next++
		if s.done() {
			s.finish()
			return true
		}
	}
	return false
}

// offer replaces the weakest kept candidate if c has more zero bits.
func (s *Search) offer(c candidate) {
	weakest := 0
	for i, b := range s.best {
		if b.bits < s.best[weakest].bits {
			weakest = i
		}
	}
	if c.bits > s.best[weakest].bits {
		s.best[weakest] = c
	}
}

func (s *Search) done() bool {
	sum := 0
	for _, b := range s.best {
		if b.bits < 0 {
			return false
		}
		sum += b.bits
	}
	return sum/PowCount >= s.target
}

func (s *Search) finish() {
	for i, b := range s.best {
		s.proof.PoW[i] = b.pow
	}
	slices.Sort(s.proof.PoW[:])
}
