//go:build unix

package records

import (
	"os"
	"syscall"
)

// mapFile maps a regular file read-only. Mapping beats reading for the
// files this package exists for (bundles and bulk exports of hundreds of
// MB): no copy of the text lands on the Go heap, so the garbage collector
// neither scans nor doubles it; pages come in lazily, so the first entries
// show before the tail has been read; and the pages are clean page-cache
// memory the kernel can drop and re-read under pressure. The cost is that
// the bytes are read-only (writing to an Entry slice faults) and that a
// file truncated by another process while mapped raises SIGBUS on access;
// the indexer turns that into ReasonChanged (debug.SetPanicOnFault).
// Anything that is not a regular file (a pipe, /dev/stdin) is read instead.
func mapFile(f *os.File, size int64) (data []byte, unmap func() error, err error) {
	if size <= 0 || size != int64(int(size)) {
		return readAll(f, size)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return readAll(f, size) // e.g. a filesystem without mmap support
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
