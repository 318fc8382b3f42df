//go:build !unix

package records

import "os"

// mapFile reads the file: without unix mmap the text lives on the heap once,
// which still keeps memory near 1x the file size.
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	return readAll(f, size)
}
