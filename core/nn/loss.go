package nn

import (
	"math"
	"sentilab/core/kernels"
)

// BCEWithLogits is binary cross-entropy from logits, as Keras computes it with
// from_logits=True: max(z,0) − z·y + ln(1+e^−|z|), stable for any z. It
// returns the summed loss and the number of correct answers (z > 0 ⇔ y ≥ ½),
// and, when dlogits is non-nil, writes scale·(σ(z) − y), the derivative of
// scale × the summed loss.
func BCEWithLogits(logits, labels, dlogits []float32, scale float32) (loss float64, correct int) {
	for i, z := range logits {
		y := labels[i]
		zf, yf := float64(z), float64(y)
		loss += math.Max(zf, 0) - zf*yf + math.Log1p(math.Exp(-math.Abs(zf)))
		if (z > 0) == (y >= 0.5) {
			correct++
		}
		if dlogits != nil {
			dlogits[i] = scale * (kernels.Sigmoid(z) - y)
		}
	}
	return loss, correct
}
