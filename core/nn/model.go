package nn

import (
	"fmt"
)

// Config fixes the shape of the classifier
// Embedding(Vocab, Embed) → LSTM(Hidden) → Dropout → Dense(1).
type Config struct {
	Vocab   int     `json:"vocab"`   // V, including 0 = padding and 1 = OOV
	Embed   int     `json:"embed"`   // E
	Hidden  int     `json:"hidden"`  // H
	MaxLen  int     `json:"max_len"` // T, steps after padding/truncation
	Padding string  `json:"padding"` // "post" or "pre" (Keras pad_sequences)
	Masking bool    `json:"masking"` // skip padded steps (Keras mask_zero)
	Dropout float32 `json:"dropout"` // rate before the dense layer, training only
}

// Validate refuses shapes the model cannot be built with, naming the field.
func (c Config) Validate() error {
	switch {
	case c.Vocab < 2 || c.Vocab > 1<<22:
		return fmt.Errorf("config: vocab %d out of range [2, %d]", c.Vocab, 1<<22)
	case c.Embed < 1 || c.Embed > 4096:
		return fmt.Errorf("config: embed %d out of range [1, 4096]", c.Embed)
	case c.Hidden < 1 || c.Hidden > 4096:
		return fmt.Errorf("config: hidden %d out of range [1, 4096]", c.Hidden)
	case c.MaxLen < 1 || c.MaxLen > 100000:
		return fmt.Errorf("config: max_len %d out of range [1, 100000]", c.MaxLen)
	case c.Padding != "post" && c.Padding != "pre":
		return fmt.Errorf("config: padding %q, want \"post\" or \"pre\"", c.Padding)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("config: dropout %v out of range [0, 1)", c.Dropout)
	}
	return nil
}

// Model is the classifier's weights. Tensor names and shapes are those of the
// model file (ARCHITECTURE.md, core/modelfile), described in Config.Tensors:
// Keras layouts, so a Keras model maps one to one.
type Model struct {
	Cfg       Config
	Embedding []float32 // [V, E]
	Kernel    []float32 // [E, 4H], gate order i, f, c, o
	Recurrent []float32 // [H, 4H]
	Bias      []float32 // [4H]
	DenseW    []float32 // [H, 1]
	DenseB    []float32 // [1]
}

// Param names one weight tensor of a model; W aliases the model's storage.
type Param struct {
	Name  string
	Shape []int
	W     []float32
}

// NewModel allocates a zeroed model of the given shape.
func NewModel(c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	t := c.Tensors()
	return &Model{
		Cfg:       c,
		Embedding: make([]float32, t.Embedding.Size()),
		Kernel:    make([]float32, t.Kernel.Size()),
		Recurrent: make([]float32, t.Recurrent.Size()),
		Bias:      make([]float32, t.Bias.Size()),
		DenseW:    make([]float32, t.DenseW.Size()),
		DenseB:    make([]float32, t.DenseB.Size()),
	}, nil
}

// Params lists the weights in file order (Tensors).
func (m *Model) Params() []Param {
	ts := m.Cfg.Tensors().List()
	ws := [][]float32{m.Embedding, m.Kernel, m.Recurrent, m.Bias, m.DenseW, m.DenseB}
	ps := make([]Param, len(ts))
	for i, t := range ts {
		ps[i] = Param{t.Name, t.Shape(), ws[i]}
	}
	return ps
}

// NumParams counts every weight (2,691,713 at the thesis shape).
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params() {
		n += len(p.W)
	}
	return n
}
