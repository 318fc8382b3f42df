package records

import (
	"errors"
	"runtime/debug"
	"unsafe"
)

// A mapped file that another process truncates raises SIGBUS at the first
// access to a page past its new end. Go makes that a recoverable panic only
// on a goroutine that asked (debug.SetPanicOnFault); otherwise the program
// dies. The indexer asks for its own goroutine (index.go), and so do the
// Source's other bulk reads of the mapping, through guardFaults: building
// filter summaries (Filter, Summary, PrepareFilter) and Lookup's index. A
// fault there marks the Source changed, as the indexer does: Err says so,
// and Entry hands out no more slices.
//
// The limits: a slice from Entry is read by its caller, on the caller's
// goroutine (the table's cells, the inspector's tree). A fault there is not
// caught here, and a slice taken before the Source was marked changed still
// faults; EntryCopy gives bytes that cannot fault once copied (the copy
// itself reads the mapping). The small reads of Line, FullURL and
// ResourceType are not guarded either (Line holds the lock markChanged
// needs). A page that faults is gone for good: no retry can bring it back.

// errChanged is the cause reported when the mapping faulted.
var errChanged = errors.New("it was truncated or rewritten while open; reopen it")

// memoryFault is the panic value of a fault under SetPanicOnFault: it
// carries the faulting address.
type memoryFault interface{ Addr() uintptr }

// guardFaults runs read, which reads the mapping, turning a memory fault
// into the Source being marked changed; it reports whether read completed.
// Other panics go on. Bytes on the heap (no mapping) never fault.
func (s *Source) guardFaults(read func()) (ok bool) {
	if s.unmap == nil {
		read()
		return true
	}
	prev := debug.SetPanicOnFault(true) // this goroutine only
	defer func() {
		debug.SetPanicOnFault(prev)
		if r := recover(); r != nil {
			f, fault := r.(memoryFault)
			if !fault {
				panic(r)
			}
			s.markChanged(f.Addr())
			ok = false
		}
	}()
	read()
	return true
}

// markChanged records that the mapping faulted at addr outside the indexer.
func (s *Source) markChanged(addr uintptr) {
	// The faulting address locates the vanished page in the file.
	off := int64(addr) - int64(uintptr(unsafe.Pointer(unsafe.SliceData(s.data))))
	off = min(max(off, 0), int64(len(s.data)))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true // hand out no more slices of pages that fault
	if s.err == nil {
		s.err = &Error{Path: s.path, Reason: ReasonChanged, Offset: off, Err: errChanged}
	}
}
