//go:build unix

package session

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path (created 0600 if missing) so that two
// fhirscope processes changing profiles at once (the wizard and `profile add`, say) apply
// their changes one after the other instead of the later write dropping the earlier one.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
