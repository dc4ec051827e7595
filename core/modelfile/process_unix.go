//go:build unix

package modelfile

import (
	"errors"
	"syscall"
)

// processAlive says whether process pid exists (signal 0 checks without
// sending anything; EPERM means it exists but is someone else's).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
