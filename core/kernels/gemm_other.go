//go:build !amd64

package kernels

// Fast is the amd64 assembly kernel; other architectures have none, so its
// Gemm is nil and Default picks another.
var Fast = Kernels{Name: "fast-unavailable"}

// HasFast reports whether Fast can run on this CPU.
func HasFast() bool { return false }

// FastCandidates: none on this architecture.
func FastCandidates() []Kernels { return nil }
