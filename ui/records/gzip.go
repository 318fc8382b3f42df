package records

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Bulk exports are often kept gzip-compressed (Patient.ndjson.gz). Such a
// file is decompressed once into an unlinked temporary file, which is then
// mapped like any other: the text still never lands on the Go heap. The
// catch is honest: nothing shows until decompression is done (about
// 300-500 MB/s of output), so a .gz opens slower than the plain file.

// maxInflate bounds the decompressed size relative to the compressed one,
// so a gzip bomb fills neither the disk nor the address space. Real FHIR
// JSON compresses 8-20x.
var maxInflate int64 = 200

// minInflateCap is the cap for small files, where a ratio means little.
var minInflateCap int64 = 1 << 30

var gzipMagic = []byte{0x1f, 0x8b}

func isGzip(f *os.File) bool {
	var head [2]byte
	n, _ := f.ReadAt(head[:], 0)
	return n == 2 && head == [2]byte(gzipMagic)
}

// openGzip inflates f into a temporary file and maps it.
func openGzip(path string, f *os.File, size int64) ([]byte, func() error, error) {
	return openGzipWith(path, f, size, mapFile)
}

// openGzipWith takes the mapping function so tests can exercise the read
// fallback used where mmap is unavailable.
func openGzipWith(path string, f *os.File, size int64, mapFn func(*os.File, int64) ([]byte, func() error, error)) ([]byte, func() error, error) {
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return nil, nil, &Error{Path: path, Reason: ReasonNotJSON, Err: fmt.Errorf("corrupt gzip data: %w", err)}
	}
	limit := max(size*maxInflate, minInflateCap)
	tmp, err := os.CreateTemp("", "fhirscope-*.json")
	if err != nil {
		return nil, nil, &Error{Path: path, Reason: ReasonIO, Err: fmt.Errorf("cannot create a file to decompress into: %w", err)}
	}
	// Unlink at once where the OS allows it (unix): the data lives while the
	// descriptor or the mapping does, and a crash leaves nothing behind.
	// Elsewhere the name goes once the file is closed.
	_ = os.Remove(tmp.Name())
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	n, err := io.Copy(tmp, io.LimitReader(zr, limit+1))
	switch {
	case err != nil && (errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF)):
		return nil, nil, &Error{Path: path, Reason: ReasonTruncated, Err: fmt.Errorf("gzip data is damaged or cut short: %w", err)}
	case err != nil:
		return nil, nil, &Error{Path: path, Reason: ReasonIO, Err: fmt.Errorf("decompressing: %w", err)}
	case n > limit:
		return nil, nil, &Error{Path: path, Reason: ReasonIO, Err: fmt.Errorf("it decompresses to more than %d MB (%dx its size); refusing", limit>>20, maxInflate)}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil { // for the read fallback
		return nil, nil, &Error{Path: path, Reason: ReasonIO, Err: err}
	}
	return mapFn(tmp, n)
}
