package loop

import (
	"bytes"
	"testing"
	"time"
)

func TestSimRunsEventsInTimeThenScheduleOrder(t *testing.T) {
	s := NewSim(1)
	var got []string
	s.Schedule(2*time.Second, func() { got = append(got, "b") })
	s.Schedule(time.Second, func() { got = append(got, "a1") })
	s.Schedule(time.Second, func() { got = append(got, "a2") })
	s.RunFor(10 * time.Second)
	if want := "a1,a2,b"; join(got) != want {
		t.Fatalf("order = %s, want %s", join(got), want)
	}
	if s.Elapsed() != 10*time.Second {
		t.Fatalf("elapsed = %v, want 10s", s.Elapsed())
	}
}

func TestSimTimerStopPreventsFire(t *testing.T) {
	s := NewSim(1)
	env := s.NewEnv(0, nil)
	fired := false
	tm := env.After(time.Second, func() { fired = true })
	if !tm.Stop() {
		t.Fatal("Stop returned false for a pending timer")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	s.RunFor(2 * time.Second)
	if fired {
		t.Fatal("stopped timer fired")
	}
	if s.Pending() != 0 {
		t.Fatalf("pending = %d after stop, want 0", s.Pending())
	}
}

func TestSimEnvRandomIsPerPeerAndReproducible(t *testing.T) {
	read := func(seed, index uint64) []byte {
		b := make([]byte, 32)
		NewSim(seed).NewEnv(index, nil).Rand().Read(b)
		return b
	}
	if !bytes.Equal(read(7, 1), read(7, 1)) {
		t.Fatal("same seed and index gave different streams")
	}
	if bytes.Equal(read(7, 1), read(7, 2)) {
		t.Fatal("two peers share a random stream")
	}
	if bytes.Equal(read(7, 1), read(8, 1)) {
		t.Fatal("two seeds gave the same stream")
	}
}

func TestIntNStaysInRange(t *testing.T) {
	r := NewSim(3).NewEnv(0, nil).Rand()
	seen := make([]bool, 5)
	for i := 0; i < 1000; i++ {
		v := IntN(r, 5)
		if v < 0 || v >= 5 {
			t.Fatalf("IntN(5) = %d", v)
		}
		seen[v] = true
	}
	for v, ok := range seen {
		if !ok {
			t.Errorf("IntN(5) never returned %d in 1000 draws", v)
		}
	}
}

func join(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(x)
	}
	return b.String()
}
