//go:build unix

package fhirtest

import (
	"syscall"
	"time"
)

// processCPUTime is the user+system CPU time this process has used: on a shared machine it
// measures the generator's cost where wall time measures the machine's load.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
