//go:build amd64 && !linux

package kernels

// threadCPUSeconds is unavailable here; BenchmarkGemm then reports wall time only.
func threadCPUSeconds() (float64, bool) { return 0, false }
