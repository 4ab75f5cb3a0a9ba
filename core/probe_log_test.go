package core

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestProbeLogIsRateLimited(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var l probeLog
	now := time.Unix(1900000000, 0)
	for range 3 * probeLogBurst {
		l.log(log, now, probeUndecryptable, "tcp://192.0.2.1:1")
	}
	if got := strings.Count(out.String(), "dropped inbound connection"); got != probeLogBurst {
		t.Errorf("%d probe lines in one period, expected %d", got, probeLogBurst)
	}
	l.log(log, now.Add(probeLogPeriod), probeReplay, "tcp://192.0.2.1:1")
	if !strings.Contains(out.String(), "count="+itoa(2*probeLogBurst)) {
		t.Errorf("no summary of the %d suppressed lines in:\n%s", 2*probeLogBurst, out.String())
	}
	out.Reset()
	l.log(slog.New(slog.NewTextHandler(&out, nil)), now, probeReplay, "x")
	if out.Len() != 0 {
		t.Error("probe logged above debug level")
	}
}
