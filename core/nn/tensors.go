package nn

// Gates is the number of the LSTM's gates. Every gate axis of its tensors
// ([E,4H], [H,4H], [4H]) holds four blocks of H in Keras's order: input i,
// forget f, cell candidate c (g in the code), output o.
const Gates = 4

// Tensor is one of the classifier's weight tensors: its name in the model
// file and its shape, [Rows, Cols], or [Rows] for a vector (Cols = 0).
type Tensor struct {
	Name       string
	Rows, Cols int
}

// Shape is the tensor's shape as the model file writes it.
func (t Tensor) Shape() []int {
	if t.Cols == 0 {
		return []int{t.Rows}
	}
	return []int{t.Rows, t.Cols}
}

// Size is the tensor's number of values.
func (t Tensor) Size() int { return t.Rows * max(t.Cols, 1) }

// Tensors describes the classifier's weights once, for Model and for
// core/compress's int8 model: Keras's layouts, in model-file order.
type Tensors struct {
	Embedding Tensor // [V, E]
	Kernel    Tensor // [E, 4H]
	Recurrent Tensor // [H, 4H]
	Bias      Tensor // [4H]
	DenseW    Tensor // [H, 1]
	DenseB    Tensor // [1]
}

// Tensors returns the weights' names and shapes for c.
func (c Config) Tensors() Tensors {
	V, E, H := c.Vocab, c.Embed, c.Hidden
	G := Gates * H
	return Tensors{
		Embedding: Tensor{"embedding.weight", V, E},
		Kernel:    Tensor{"lstm.kernel", E, G},
		Recurrent: Tensor{"lstm.recurrent", H, G},
		Bias:      Tensor{"lstm.bias", G, 0},
		DenseW:    Tensor{"dense.weight", H, 1},
		DenseB:    Tensor{"dense.bias", 1, 0},
	}
}

// List is the tensors in model-file order.
func (t Tensors) List() []Tensor {
	return []Tensor{t.Embedding, t.Kernel, t.Recurrent, t.Bias, t.DenseW, t.DenseB}
}
