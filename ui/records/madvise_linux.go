package records

import "syscall"

// adviseWillNeed asks the kernel to start reading the whole mapping now, in
// the background: the indexer will touch every page in order, and on a cold
// cache this turns 4 KB demand faults into large sequential reads. It is
// only advice; failure changes nothing.
func adviseWillNeed(b []byte) { _ = syscall.Madvise(b, syscall.MADV_WILLNEED) }
