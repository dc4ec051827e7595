//go:build amd64 && linux

package kernels

import "golang.org/x/sys/unix"

// threadCPUSeconds is the CPU time of the calling OS thread: on a shared
// machine it measures a single-threaded kernel's own speed, which wall time
// (which includes waiting for a core) does not.
func threadCPUSeconds() (float64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return float64(ts.Sec) + float64(ts.Nsec)*1e-9, true
}
