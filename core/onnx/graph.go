package onnx

import (
	"fmt"
	"sort"

	"sentilab/core/compress"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
)

// Opset and IR versions of every exported file: opset 17 has everything the
// graph uses (LSTM-14, DequantizeLinear-13 per axis, ReduceSum-13,
// TopK-11, GatherElements-13); IR 8 is the IR of opset 17.
const (
	OpsetVersion = 17
	IRVersion    = 8
)

// Names of the graph's inputs and outputs.
const (
	InputTokens       = "tokens"      // int64 [batch, max_len], padded as the config says
	OutputLogit       = "logit"       // float [batch]
	OutputProbability = "probability" // float [batch], P(positive) = sigmoid(logit)
)

// onnxGate[k] is the Keras gate stored at ONNX gate position k: ONNX's LSTM
// orders its gates i, o, f, c; Keras (and nn.Model) i, f, c, o.
var onnxGate = [4]int{0, 3, 1, 2}

// FromFloat builds the ONNX graph of a float model (the base, f16, pruned
// and distilled variants all decode to one).
func FromFloat(m *nn.Model, info Info) (*Model, error) {
	c := m.Cfg
	if err := check(c, info); err != nil {
		return nil, err
	}
	E, H := c.Embed, c.Hidden
	b := newBuilder()
	w := weights{
		embed: func(ids string) string {
			emb := b.init(FloatTensor("embedding.weight", dims(c.Vocab, E), m.Embedding))
			return b.op("Gather", []string{emb, ids}, intAttr("axis", 0))
		},
		W:     b.init(FloatTensor("lstm.W", dims(1, 4*H, E), gatesByRow(m.Kernel, E, H))),
		R:     b.init(FloatTensor("lstm.R", dims(1, 4*H, H), gatesByRow(m.Recurrent, H, H))),
		dense: b.init(FloatTensor("dense.weight", dims(H, 1), m.DenseW)),
	}
	return b.classifier(c, w, m.Bias, m.DenseB[0], info), nil
}

// FromInt8 builds the ONNX graph of an int8 model: the weights stay int8 in
// the file (embedding rows gathered as int8 and scaled per row; the LSTM and
// dense kernels through DequantizeLinear with their per-column scales), the
// arithmetic is float32. Our int8 runtime also quantizes the activations
// per timestep; ONNX's standard LSTM cannot, so the two differ by that
// rounding (measured in tests/onnx: well under the 0.01 bar).
func FromInt8(q *compress.QModel, info Info) (*Model, error) {
	c := q.Cfg
	if err := check(c, info); err != nil {
		return nil, err
	}
	V, E, H := c.Vocab, c.Embed, c.Hidden
	b := newBuilder()
	w := weights{
		embed: func(ids string) string {
			// Gather the int8 rows and their scales, then scale: only the
			// rows a batch uses are dequantized.
			eq := b.init(Int8Tensor("embedding.weight.q", dims(V, E), q.Emb))
			es := b.init(FloatTensor("embedding.weight.scale", dims(V), q.EmbScale))
			rows := b.op("Cast", []string{b.op("Gather", []string{eq, ids}, intAttr("axis", 0))}, intAttr("to", Float))
			scale := b.op("Unsqueeze", []string{b.op("Gather", []string{es, ids}, intAttr("axis", 0)), b.ints("axis2", 2)})
			return b.op("Mul", []string{rows, scale})
		},
		W: b.dequant("lstm.W", gatesByRowInt8(q.Kernel, H), dims(1, 4*H, E), gatesOfScale(q.Kernel.Scale, H)),
		R: b.dequant("lstm.R", gatesByRowInt8(q.Recurrent, H), dims(1, 4*H, H), gatesOfScale(q.Recurrent.Scale, H)),
	}
	if len(q.Dense.Scale) != 1 || q.Dense.K != H || q.Dense.N != 1 {
		return nil, fmt.Errorf("onnx: int8 dense layer is [%d, %d] with %d scales, want [%d, 1] with 1", q.Dense.K, q.Dense.N, len(q.Dense.Scale), H)
	}
	w.dense = b.dequant("dense.weight", q.Dense.Q, dims(H, 1), q.Dense.Scale)
	return b.classifier(c, w, q.Bias, q.DenseB, info), nil
}

func check(c nn.Config, info Info) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("onnx: %v", err)
	}
	if len(info.Vocab) != c.Vocab {
		return fmt.Errorf("onnx: vocabulary has %d words, config says %d", len(info.Vocab), c.Vocab)
	}
	return nil
}

// weights are the graph values the classifier reads its weights from.
type weights struct {
	embed func(ids string) string // ids [T, B] int64 → [T, B, E] float
	W, R  string                  // [1, 4H, E], [1, 4H, H] float, ONNX gate order
	dense string                  // [H, 1] float
}

// classifier wires tokens → OOV clamp → (masking: compaction) → embedding
// → LSTM → dense → sigmoid.
//
// Masking: Sentilab's masked LSTM skips every padding token (id 0) wherever
// it is and reads the rest in order. The graph does the same for either
// padding side: it moves the non-zero tokens to the front of each row, in
// order (TopK over the key 2T−t for real tokens and −t for padding, which
// is unique per position, so the order is exact), and hands the LSTM their
// count as sequence_lens. So callers feed tokens padded exactly as the
// config says and need no second input. A row with no real token gives the
// state a masked LSTM starts from (zeros): its count is raised to 1 for the
// LSTM, whose output is then multiplied by 0.
func (b *builder) classifier(c nn.Config, w weights, bias []float32, denseB float32, info Info) *Model {
	T, H := c.MaxLen, c.Hidden
	zero := b.scalar("zero", 0)
	one := b.scalar("one", 1)
	// Keras's tokenizer never makes ids ≥ vocab; our runtime reads any id
	// outside [0, vocab) as OOV (1), and so does the graph.
	bad := b.op("Or", []string{
		b.op("Less", []string{InputTokens, zero}),
		b.op("GreaterOrEqual", []string{InputTokens, b.scalar("vocab_size", int64(c.Vocab))}),
	})
	ids := b.op("Where", []string{bad, one, InputTokens})

	seqLens, anyReal := "", ""
	if c.Masking {
		real := b.op("Cast", []string{b.op("Not", []string{b.op("Equal", []string{ids, zero})})}, intAttr("to", Int64))
		lens := b.op("ReduceSum", []string{real, b.ints("axis1", 1)}, intAttr("keepdims", 0))
		pos := make([]int64, T)
		for t := range pos {
			pos[t] = int64(t)
		}
		key := b.op("Sub", []string{
			b.op("Mul", []string{real, b.scalar("two_max_len", 2*int64(T))}),
			b.init(Int64Tensor("positions", dims(T), pos)),
		})
		keyF := b.op("Cast", []string{key}, intAttr("to", Float)) // exact: |key| ≤ 2T < 2²⁴
		_, order := b.op2("TopK", []string{keyF, b.ints("max_len", int64(T))},
			intAttr("axis", 1), intAttr("largest", 1), intAttr("sorted", 1))
		ids = b.op("GatherElements", []string{ids, order}, intAttr("axis", 1))
		seqLens = b.op("Cast", []string{b.op("Max", []string{lens, one})}, intAttr("to", Int32))
		anyReal = b.op("Cast", []string{
			b.op("Unsqueeze", []string{b.op("Greater", []string{lens, zero}), b.ints("axis1", 1)}),
		}, intAttr("to", Float))
	}

	x := w.embed(b.op("Transpose", []string{ids}, intsAttr("perm", 1, 0))) // [T, B, E]
	lstmB := make([]float32, 8*H)                                          // Wb then Rb (zero): Keras has one bias
	copy(lstmB, gatesByRow(bias, 1, H))
	in := []string{x, w.W, w.R, b.init(FloatTensor("lstm.B", dims(1, 8*H), lstmB))}
	if seqLens != "" {
		in = append(in, seqLens)
	}
	yh := b.name("lstm_h")
	b.g.Nodes = append(b.g.Nodes, Node{Op: "LSTM", Name: "lstm", In: in, Out: []string{"", yh},
		Attrs: []Attr{intAttr("hidden_size", int64(H)), strAttr("direction", "forward")}})
	h := b.op("Squeeze", []string{yh, b.ints("axis0", 0)}) // [B, H]
	if anyReal != "" {
		h = b.op("Mul", []string{h, anyReal})
	}
	z := b.op("Gemm", []string{h, w.dense, b.init(FloatTensor("dense.bias", dims(1), []float32{denseB}))})
	b.g.Nodes = append(b.g.Nodes,
		Node{Op: "Squeeze", Name: "logit", In: []string{z, b.ints("axis1", 1)}, Out: []string{OutputLogit}},
		Node{Op: "Sigmoid", Name: "probability", In: []string{OutputLogit}, Out: []string{OutputProbability}})

	batch := Dim{Param: "batch"}
	b.g.Name = "sentilab"
	b.g.Inputs = []ValueInfo{{Name: InputTokens, DType: Int64, Dims: []Dim{batch, {Value: int64(T)}}}}
	b.g.Outputs = []ValueInfo{
		{Name: OutputLogit, DType: Float, Dims: []Dim{batch}},
		{Name: OutputProbability, DType: Float, Dims: []Dim{batch}},
	}
	return &Model{
		IRVersion:       IRVersion,
		Opsets:          []Opset{{Version: OpsetVersion}},
		ProducerName:    "sentilab",
		ProducerVersion: "1",
		Doc:             doc(c),
		Graph:           b.g,
		Metadata:        metadata(c, info),
	}
}

// gatesByRow turns a Keras kernel w [in, 4H] (gates i, f, c, o along the
// columns) into ONNX's [4H, in] (gates i, o, f, c along the rows):
// dst[k·H+j, e] = w[e, onnxGate[k]·H+j]. With in = 1 it reorders a bias.
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

// gatesByRowInt8 is gatesByRow for an int8 kernel.
func gatesByRowInt8(m *compress.QMatrix, H int) []int8 {
	in := m.K
	dst := make([]int8, 4*H*in)
	for k, g := range onnxGate {
		for j := 0; j < H; j++ {
			for e := 0; e < in; e++ {
				dst[(k*H+j)*in+e] = m.Q[e*4*H+g*H+j]
			}
		}
	}
	return dst
}

// gatesOfScale reorders per-column scales [4H] the same way.
func gatesOfScale(s []float32, H int) []float32 { return gatesByRow(s, 1, H) }

func dims(d ...int) []int64 {
	out := make([]int64, len(d))
	for i, v := range d {
		out[i] = int64(v)
	}
	return out
}

// builder appends nodes and initializers with unique names.
type builder struct {
	g     Graph
	n     int
	named map[string]bool
}

func newBuilder() *builder { return &builder{named: map[string]bool{}} }

func (b *builder) name(prefix string) string {
	b.n++
	return fmt.Sprintf("%s_%d", prefix, b.n)
}

// op appends a one-output node and returns its output's name.
func (b *builder) op(op string, in []string, attrs ...Attr) string {
	out := b.name(op)
	b.g.Nodes = append(b.g.Nodes, Node{Op: op, Name: out, In: in, Out: []string{out}, Attrs: attrs})
	return out
}

// op2 appends a two-output node.
func (b *builder) op2(op string, in []string, attrs ...Attr) (string, string) {
	n := b.name(op)
	o1, o2 := n+"_0", n+"_1"
	b.g.Nodes = append(b.g.Nodes, Node{Op: op, Name: n, In: in, Out: []string{o1, o2}, Attrs: attrs})
	return o1, o2
}

// init adds an initializer (once per name) and returns its name.
func (b *builder) init(t Tensor) string {
	if !b.named[t.Name] {
		b.named[t.Name] = true
		b.g.Initializers = append(b.g.Initializers, t)
	}
	return t.Name
}

// scalar adds an int64 scalar constant.
func (b *builder) scalar(name string, v int64) string {
	return b.init(Int64Tensor(name, nil, []int64{v}))
}

// ints adds a 1-D int64 constant (axes, shapes, K).
func (b *builder) ints(name string, v ...int64) string {
	return b.init(Int64Tensor(name, dims(len(v)), v))
}

// dequant adds int8 data with one scale per row of its axis 1 (or one
// scale for all) and a DequantizeLinear node; it returns the float output.
func (b *builder) dequant(name string, q []int8, shape []int64, scale []float32) string {
	data := b.init(Int8Tensor(name+".q", shape, q))
	if len(scale) == 1 {
		s := b.init(FloatTensor(name+".scale", nil, scale))
		return b.op("DequantizeLinear", []string{data, s})
	}
	s := b.init(FloatTensor(name+".scale", dims(len(scale)), scale))
	return b.op("DequantizeLinear", []string{data, s}, intAttr("axis", 1))
}

// FromLoaded builds the ONNX model of a decoded model file, with the file's
// vocabulary, variant, preprocessing name and metrics in metadata_props. A
// file that stores int8 weights (the int8 and int8-weights variants, dense
// or sparse) is exported with those int8 values (FromInt8); every other
// file (f32, f16, pruned, distilled, ...) as the float32 weights it decodes
// to (FromFloat).
func FromLoaded(ld *modelfile.Loaded) (*Model, error) {
	info := Info{Vocab: ld.Vocab, Variant: ld.Meta.Variant, Preprocessing: ld.Meta.Preprocessing}
	keys := make([]string, 0, len(ld.Meta.Metrics))
	for k := range ld.Meta.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		info.Extra = append(info.Extra, KV{Key: "sentilab.metric." + k, Value: fmt.Sprint(ld.Meta.Metrics[k])})
	}
	if !StoresInt8(ld.File) {
		return FromFloat(ld.Model, info)
	}
	q, err := compress.NewQModel(ld)
	if err != nil {
		return nil, err
	}
	return FromInt8(q, info)
}

// StoresInt8 reports whether a model file holds every weight matrix as
// int8 (dense or as sparse values). A selective file keeps some in float32
// and computes in float32 on the dequantized rest: it is exported as those
// float32 weights, which is exactly what it computes.
func StoresInt8(f *modelfile.File) bool {
	dtype := map[string]string{}
	for _, t := range f.Tensors {
		dtype[t.Name] = t.DType
	}
	for _, w := range []string{"embedding.weight", "lstm.kernel", "lstm.recurrent", "dense.weight"} {
		if dtype[w] != "I8" && dtype[w+".values"] != "I8" {
			return false
		}
	}
	return true
}
