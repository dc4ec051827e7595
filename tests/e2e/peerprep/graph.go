package main

import (
	"sentilab/core/compress"
	"sentilab/core/nn"
	"sentilab/core/onnx"
)

// AttributeProto.AttributeType values (core/onnx keeps its own unexported).
const (
	attrInt    = 2
	attrString = 3
	attrInts   = 7
)

// onnxGate[k] is the Keras gate at ONNX gate position k: ONNX orders an
// LSTM's gates i, o, f, c; Keras (and nn.Model) i, f, c, o.
var onnxGate = [4]int{0, 3, 1, 2}

// graph is a small builder: nodes in order, initializers by name.
type graph struct{ g onnx.Graph }

func (b *graph) init(t onnx.Tensor) string {
	b.g.Initializers = append(b.g.Initializers, t)
	return t.Name
}

func (b *graph) node(op, domain string, in []string, out string, attrs ...onnx.Attr) string {
	b.g.Nodes = append(b.g.Nodes, onnx.Node{Op: op, Domain: domain, Name: out, In: in, Out: []string{out}, Attrs: attrs})
	return out
}

func ints(name string, v ...int64) onnx.Tensor {
	return onnx.Int64Tensor(name, []int64{int64(len(v))}, v)
}

func intAttr(name string, v int64) onnx.Attr { return onnx.Attr{Name: name, Type: attrInt, I: v} }

// lstmInputs are the graph's two inputs, transposed to time-major ids.
func (b *graph) lstmInputs() (ids string) {
	return b.node("Transpose", "", []string{"tokens"}, "ids_tb", onnx.Attr{Name: "perm", Type: attrInts, Ints: []int64{1, 0}})
}

// finish adds h [1, B, H] → Squeeze → Gemm → Squeeze → Sigmoid, the inputs,
// outputs and opsets.
func (b *graph) finish(c nn.Config, yh string, denseW []float32, denseB float32, msOpset bool) *onnx.Model {
	H := int64(c.Hidden)
	h := b.node("Squeeze", "", []string{yh, b.init(ints("axis0", 0))}, "h")
	z := b.node("Gemm", "", []string{h, b.init(onnx.FloatTensor("dense.weight", []int64{H, 1}, denseW)),
		b.init(onnx.FloatTensor("dense.bias", []int64{1}, []float32{denseB}))}, "z")
	b.node("Squeeze", "", []string{z, b.init(ints("axis1", 1))}, "logit")
	b.node("Sigmoid", "", []string{"logit"}, "probability")
	batch, length := onnx.Dim{Param: "batch"}, onnx.Dim{Param: "length"}
	b.g.Name = "sentilab-peer"
	b.g.Inputs = []onnx.ValueInfo{
		{Name: "tokens", DType: onnx.Int64, Dims: []onnx.Dim{batch, length}},
		{Name: "lens", DType: onnx.Int32, Dims: []onnx.Dim{batch}},
	}
	b.g.Outputs = []onnx.ValueInfo{
		{Name: "logit", DType: onnx.Float, Dims: []onnx.Dim{batch}},
		{Name: "probability", DType: onnx.Float, Dims: []onnx.Dim{batch}},
	}
	opsets := []onnx.Opset{{Version: onnx.OpsetVersion}}
	if msOpset {
		opsets = append(opsets, onnx.Opset{Domain: "com.microsoft", Version: 1})
	}
	return &onnx.Model{IRVersion: onnx.IRVersion, Opsets: opsets, ProducerName: "sentilab-peerprep", ProducerVersion: "1", Graph: b.g}
}

// lstmBias is ONNX's B [1, 8H]: Keras's one bias as Wb, Rb zero.
func lstmBias(bias []float32, H int) onnx.Tensor {
	b := make([]float32, 8*H)
	copy(b, gatesByRow(bias, 1, H))
	return onnx.FloatTensor("lstm.B", []int64{1, int64(8 * H)}, b)
}

// floatGraph: the float model, standard ops only.
func floatGraph(m *nn.Model) *onnx.Model {
	c := m.Cfg
	E, H := c.Embed, c.Hidden
	b := &graph{}
	ids := b.lstmInputs()
	x := b.node("Gather", "", []string{b.init(onnx.FloatTensor("embedding.weight", []int64{int64(c.Vocab), int64(E)}, m.Embedding)), ids},
		"x", intAttr("axis", 0))
	W := b.init(onnx.FloatTensor("lstm.W", []int64{1, int64(4 * H), int64(E)}, gatesByRow(m.Kernel, E, H)))
	R := b.init(onnx.FloatTensor("lstm.R", []int64{1, int64(4 * H), int64(H)}, gatesByRow(m.Recurrent, H, H)))
	b.g.Nodes = append(b.g.Nodes, onnx.Node{Op: "LSTM", Name: "lstm", In: []string{x, W, R, b.init(lstmBias(m.Bias, H)), "lens"},
		Out: []string{"", "y_h"}, Attrs: []onnx.Attr{intAttr("hidden_size", int64(H)), {Name: "direction", Type: attrString, S: "forward"}}})
	return b.finish(c, "y_h", m.DenseW, m.DenseB[0], false)
}

// int8Graph: the int8 file's weights. The LSTM is com.microsoft
// DynamicQuantizeLSTM with the layout ORT's quantizer gives it
// (onnxruntime/python/tools/quantization/operators/lstm.py): W and R
// transposed to [num_directions, input, 4H], per-channel scales and zero
// points [num_directions, 4H]. Our scales are per column of the Keras
// kernel [in, 4H], which is per channel there once the gates are reordered;
// the zero points are 0 (symmetric). The embedding is gathered as int8 and
// scaled per row (only the rows a batch uses are dequantized); the dense
// layer's 128 weights are dequantized once here (one scale).
func int8Graph(q *compress.QModel) *onnx.Model {
	c := q.Cfg
	V, E, H := c.Vocab, c.Embed, c.Hidden
	b := &graph{}
	ids := b.lstmInputs()
	rows := b.node("Gather", "", []string{b.init(onnx.Int8Tensor("embedding.q", []int64{int64(V), int64(E)}, q.Emb)), ids}, "emb_rows_q", intAttr("axis", 0))
	rowsF := b.node("Cast", "", []string{rows}, "emb_rows", intAttr("to", onnx.Float))
	scale := b.node("Gather", "", []string{b.init(onnx.FloatTensor("embedding.scale", []int64{int64(V)}, q.EmbScale)), ids}, "emb_scale_tb", intAttr("axis", 0))
	scale = b.node("Unsqueeze", "", []string{scale, b.init(ints("axis2", 2))}, "emb_scale")
	x := b.node("Mul", "", []string{rowsF, scale}, "x")

	g := int64(4 * H)
	in := []string{x,
		b.init(onnx.Int8Tensor("lstm.W.q", []int64{1, int64(E), g}, gateCols(q.Kernel.Q, E, H))),
		b.init(onnx.Int8Tensor("lstm.R.q", []int64{1, int64(H), g}, gateCols(q.Recurrent.Q, H, H))),
		b.init(lstmBias(q.Bias, H)),
		"lens", "", "", "",
		b.init(onnx.FloatTensor("lstm.W.scale", []int64{1, g}, gatesByRow(q.Kernel.Scale, 1, H))),
		b.init(onnx.Int8Tensor("lstm.W.zero_point", []int64{1, g}, make([]int8, g))),
		b.init(onnx.FloatTensor("lstm.R.scale", []int64{1, g}, gatesByRow(q.Recurrent.Scale, 1, H))),
		b.init(onnx.Int8Tensor("lstm.R.zero_point", []int64{1, g}, make([]int8, g))),
	}
	b.g.Nodes = append(b.g.Nodes, onnx.Node{Op: "DynamicQuantizeLSTM", Domain: "com.microsoft", Name: "lstm", In: in,
		Out: []string{"", "y_h"}, Attrs: []onnx.Attr{intAttr("hidden_size", int64(H)), {Name: "direction", Type: attrString, S: "forward"}}})

	dense := make([]float32, H)
	for j := range dense {
		dense[j] = float32(q.Dense.Q[j]) * q.Dense.Scale[0]
	}
	return b.finish(c, "y_h", dense, q.DenseB, true)
}

// gatesByRow turns a Keras kernel w [in, 4H] (gates i, f, c, o along the
// columns) into ONNX's LSTM layout [4H, in] (gates i, o, f, c along the
// rows). With in = 1 it reorders a bias or per-column scales.
func gatesByRow(w []float32, in, H int) []float32 {
	dst := make([]float32, 4*H*in)
	for k, g := range onnxGate {
		for j := 0; j < H; j++ {
			for e := 0; e < in; e++ {
				dst[(k*H+j)*in+e] = w[e*4*H+g*H+j]
			}
		}
	}
	return dst
}

// gateCols reorders the gate columns of an int8 Keras kernel [in, 4H] to
// ONNX's order, keeping the [in, 4H] layout DynamicQuantizeLSTM takes.
func gateCols(w []int8, in, H int) []int8 {
	dst := make([]int8, len(w))
	for e := 0; e < in; e++ {
		for k, g := range onnxGate {
			copy(dst[e*4*H+k*H:e*4*H+(k+1)*H], w[e*4*H+g*H:e*4*H+(g+1)*H])
		}
	}
	return dst
}
