package kernels

// Sigmoid is the model's probability for a logit.
func Sigmoid(z float32) float32 { return sigmoid32(z) }
