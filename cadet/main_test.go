package cadet

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them, such
// as a blocked conn call or a loop that was not stopped.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
