package nn

import "fmt"

// Budget bounds what a model config may cost, so that a config is refused
// before anything is allocated rather than after the machine runs out of
// memory. A model file's header is only a claim: a one-line edit (max_len
// 100000, or embed = hidden = 4096 over a sparse, nearly empty file) would
// otherwise ask for tens of gigabytes at the first batch.
//
// Costs are counted per time step ("row") of the LSTM, as nn.Workspace lays
// them out, in float32s:
//
//	inference  E + 8H + 3   per row: X, A (4H), C, tanh C, h, h entering, token ids
//	training   2E + 12H + 3 per row: the above plus dZ (4H) and dX (E)
//	FLOPs      8·H·(E + H)  per row: the input and recurrent products, 2·4H·(E+H)
//
// so a batch of B examples of max_len T costs B·T times these.
type Budget struct {
	MaxVocab, MaxEmbed, MaxHidden, MaxLen int

	// MaxParams bounds the weights (V·E + 4H·(E+H+1) + H + 1 float32s);
	// training holds four copies (weights, gradients, Adam's two moments).
	MaxParams int64

	// MaxActivationBytes bounds one training batch of Batch examples of
	// max_len steps, every step live (the unmasked worst case: masking
	// only helps on short reviews).
	Batch              int
	MaxActivationBytes int64

	// MaxExampleFLOPs bounds one example's forward pass over max_len steps.
	// Evaluation runs in chunks and checks for cancellation between them;
	// a chunk is at least one example, so this bounds how late a cancel
	// can land (1 GFLOP, 22 thesis reviews: ≈ 15–50 ms on one AVX-512
	// core, ≈ 50–100 ms in WebAssembly with SIMD).
	MaxExampleFLOPs int64
}

// DefaultBudget is the budget model files and the command line are checked
// against: far above the lab's presets (the thesis shape, V 20,000 E 128
// H 128 T 170, uses 2.7 M parameters, 78 MB of activations at batch 64 and
// 45 MFLOP per example) and below what a 4 GiB WebAssembly memory or a
// laptop can hold.
var DefaultBudget = Budget{
	MaxVocab:           1 << 20,
	MaxEmbed:           2048,
	MaxHidden:          2048,
	MaxLen:             4096, // the longest IMDB review is ~1,500 words after cleaning
	MaxParams:          1 << 27,
	Batch:              64,
	MaxActivationBytes: 2 << 30,
	MaxExampleFLOPs:    1e9,
}

// NumParams is the number of weights of a model of shape c.
func (c Config) NumParams() int64 {
	var n int64
	for _, t := range c.Tensors().List() {
		n += int64(t.Rows) * int64(max(t.Cols, 1)) // in int64: c may not be valid yet
	}
	return n
}

// InferBytesPerStep is the activation memory of one LSTM row at inference.
func (c Config) InferBytesPerStep() int64 {
	return 4 * (int64(c.Embed) + 8*int64(c.Hidden) + 3)
}

// TrainBytesPerStep is the activation memory of one LSTM row in training
// (forward caches and backward buffers).
func (c Config) TrainBytesPerStep() int64 {
	return 4 * (2*int64(c.Embed) + 12*int64(c.Hidden) + 3)
}

// FLOPsPerStep is the cost of one LSTM row's forward products.
func (c Config) FLOPsPerStep() int64 {
	H := int64(c.Hidden)
	return 8 * H * (int64(c.Embed) + H)
}

// CheckBudget refuses a config whose shape or costs exceed b, naming the
// field, the cost and the limit. It validates c first.
func (c Config) CheckBudget(b Budget) error {
	if err := c.Validate(); err != nil {
		return err
	}
	T := int64(c.MaxLen)
	switch {
	case c.Vocab > b.MaxVocab:
		return fmt.Errorf("config: vocab %d over the budget's %d", c.Vocab, b.MaxVocab)
	case c.Embed > b.MaxEmbed:
		return fmt.Errorf("config: embed %d over the budget's %d", c.Embed, b.MaxEmbed)
	case c.Hidden > b.MaxHidden:
		return fmt.Errorf("config: hidden %d over the budget's %d", c.Hidden, b.MaxHidden)
	case c.MaxLen > b.MaxLen:
		return fmt.Errorf("config: max_len %d over the budget's %d (the longest IMDB review is about 1,500 words after cleaning)", c.MaxLen, b.MaxLen)
	case c.NumParams() > b.MaxParams:
		return fmt.Errorf("config: %d parameters (vocab %d, embed %d, hidden %d) over the budget's %d (%s of float32 weights)",
			c.NumParams(), c.Vocab, c.Embed, c.Hidden, b.MaxParams, Bytes(4*b.MaxParams))
	}
	if act := int64(b.Batch) * T * c.TrainBytesPerStep(); act > b.MaxActivationBytes {
		fit := b.MaxActivationBytes / (int64(b.Batch) * c.TrainBytesPerStep())
		return fmt.Errorf("config: max_len %d with embed %d and hidden %d needs %s of activations to train a batch of %d, over the budget's %s (max_len ≤ %d fits at these widths)",
			c.MaxLen, c.Embed, c.Hidden, Bytes(act), b.Batch, Bytes(b.MaxActivationBytes), fit)
	}
	if fl := T * c.FLOPsPerStep(); fl > b.MaxExampleFLOPs {
		return fmt.Errorf("config: max_len %d with embed %d and hidden %d costs %.1f GFLOP per example, over the budget's %.1f (max_len ≤ %d fits at these widths)",
			c.MaxLen, c.Embed, c.Hidden, float64(fl)/1e9, float64(b.MaxExampleFLOPs)/1e9, b.MaxExampleFLOPs/c.FLOPsPerStep())
	}
	return nil
}

// Bytes formats a byte count for messages: "78.3 MB", "2.0 GiB".
func Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
