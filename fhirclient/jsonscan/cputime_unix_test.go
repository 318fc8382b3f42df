//go:build unix

package jsonscan_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system, all threads, GC included) this
// process has used. On a shared machine, bytes per CPU-second is the
// throughput figure that does not depend on how busy the neighbours are.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
