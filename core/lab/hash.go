package lab

import (
	"fmt"
	"hash/fnv"
	"math"

	"sentilab/core/nn"
)

// WeightsHash is an FNV-1a hash of m's weights' bits, in Params order: two
// programs trained the same model exactly when their hashes agree.
func WeightsHash(m *nn.Model) string {
	h := fnv.New64a()
	var b [4]byte
	for _, p := range m.Params() {
		for _, w := range p.W {
			u := math.Float32bits(w)
			b[0], b[1], b[2], b[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
			h.Write(b[:])
		}
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
