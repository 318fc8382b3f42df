//go:build !unix

package session

// lockFile is a no-op where flock is not available; the store still re-reads the file before
// every change, which keeps the window for a lost update small.
func lockFile(string) (func(), error) { return func() {}, nil }
