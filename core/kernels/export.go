package kernels

// Tanh is the model's tanh (the same bits as the LSTM's own), for other
// inference paths such as core/compress's int8 LSTM, so that the only
// difference between two paths is the one being studied.
func Tanh(x float32) float32 { return tanh32(x) }

// Sigmoid is the model's probability for a logit.
func Sigmoid(z float32) float32 { return sigmoid32(z) }
