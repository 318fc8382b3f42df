//go:build !unix

package records

import "time"

func processCPU() time.Duration { return 0 }
