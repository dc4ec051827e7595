package onnx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sentilab/core/compress"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
)

// The numbers of the model as ONNX Runtime computes it are checked against
// Sentilab's in tests/onnx (Node, onnxruntime-node, 1,000 real reviews);
// these tests check the encoding and the graph's structure and weights.

func TestWireFormat(t *testing.T) {
	for _, c := range []struct {
		name string
		put  func(*pb)
		want []byte
	}{
		// protobuf's documentation example: field 1 = 150.
		{"varint", func(b *pb) { b.int64(1, 150) }, []byte{0x08, 0x96, 0x01}},
		// Negative int64: two's complement as a ten-byte varint.
		{"negative", func(b *pb) { b.int64(2, -1) }, []byte{0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"string", func(b *pb) { b.string(2, "testing") }, []byte{0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'}},
		{"float", func(b *pb) { b.float32(2, 1) }, []byte{0x15, 0x00, 0x00, 0x80, 0x3f}},
		{"packed", func(b *pb) { b.packedInt64s(1, []int64{3, 270}) }, []byte{0x0a, 0x03, 0x03, 0x8e, 0x02}},
	} {
		var b pb
		c.put(&b)
		if !bytes.Equal(b, c.want) {
			t.Errorf("%s: % x, want % x", c.name, []byte(b), c.want)
		}
	}
}

func testModel(t *testing.T, c nn.Config) (*nn.Model, Info) {
	t.Helper()
	m, err := nn.NewModel(c)
	if err != nil {
		t.Fatal(err)
	}
	nn.Init(m, 7)
	for i := range m.Bias { // Init zeroes most of the bias; make every gate distinct
		m.Bias[i] = float32(i) / 100
	}
	vocab := []string{"", text.OOV}
	for i := 2; i < c.Vocab; i++ {
		vocab = append(vocab, fmt.Sprintf("w%d", i))
	}
	return m, Info{Vocab: vocab, Variant: "base", Preprocessing: "thesis"}
}

// decoded is a marshalled model read back.
type decoded struct {
	model   msg
	graph   msg
	nodes   []msg
	inits   map[string]decodedTensor
	meta    map[string]string
	opTypes []string
}

func decode(t *testing.T, m *Model) decoded {
	t.Helper()
	d := decoded{model: mustMsg(t, m.Marshal()), inits: map[string]decodedTensor{}, meta: map[string]string{}}
	graphs := d.model.sub(t, 7)
	if len(graphs) != 1 {
		t.Fatalf("%d graphs, want 1", len(graphs))
	}
	d.graph = graphs[0]
	d.nodes = d.graph.sub(t, 1)
	for _, n := range d.nodes {
		d.opTypes = append(d.opTypes, n.str(4))
	}
	for _, im := range d.graph.sub(t, 5) {
		tt := readTensor(t, im)
		d.inits[tt.name] = tt
	}
	for _, kv := range d.model.sub(t, 14) {
		d.meta[kv.str(1)] = kv.str(2)
	}
	return d
}

// node returns the only node of type op.
func (d decoded) node(t *testing.T, op string) msg {
	t.Helper()
	var found []msg
	for i, o := range d.opTypes {
		if o == op {
			found = append(found, d.nodes[i])
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s nodes, want 1", len(found), op)
	}
	return found[0]
}

func TestFloatModelStructure(t *testing.T) {
	for _, c := range []nn.Config{
		{Vocab: 11, Embed: 3, Hidden: 2, MaxLen: 6, Padding: "pre", Masking: true},
		{Vocab: 9, Embed: 4, Hidden: 3, MaxLen: 5, Padding: "post", Masking: false},
	} {
		t.Run(fmt.Sprintf("%s-mask=%v", c.Padding, c.Masking), func(t *testing.T) {
			m, info := testModel(t, c)
			om, err := FromFloat(m, info)
			if err != nil {
				t.Fatal(err)
			}
			d := decode(t, om)
			if v := d.model.int(1); v != IRVersion {
				t.Errorf("ir_version %d, want %d", v, IRVersion)
			}
			ops := d.model.sub(t, 8)
			if len(ops) != 1 || ops[0].str(1) != "" || ops[0].int(2) != OpsetVersion {
				t.Errorf("opset_import %v, want one: ai.onnx %d", ops, OpsetVersion)
			}
			checkTopological(t, d)
			checkIO(t, d, c)

			E, H := c.Embed, c.Hidden
			// ONNX gate k holds Keras gate onnxGate[k]: i, o, f, c ← i, f, c, o.
			W := d.inits["lstm.W"]
			if !slices.Equal(W.dims, []int64{1, int64(4 * H), int64(E)}) || W.dtype != Float {
				t.Fatalf("lstm.W dims %v dtype %d, want [1 %d %d] float", W.dims, W.dtype, 4*H, E)
			}
			w := W.floats()
			for k, kg := range []int{0, 3, 1, 2} {
				for j := 0; j < H; j++ {
					for e := 0; e < E; e++ {
						if got, want := w[(k*H+j)*E+e], m.Kernel[e*4*H+kg*H+j]; got != want {
							t.Fatalf("W[gate %d, unit %d, in %d] = %v, want Keras kernel[%d, %d] = %v", k, j, e, got, e, kg*H+j, want)
						}
					}
				}
			}
			r := d.inits["lstm.R"].floats()
			if r[(1*H+0)*H+1] != m.Recurrent[1*4*H+3*H+0] { // o gate, unit 0, from h[1]
				t.Errorf("R's o gate is not Keras's 4th gate")
			}
			b := d.inits["lstm.B"].floats()
			if len(b) != 8*H {
				t.Fatalf("lstm.B has %d values, want %d", len(b), 8*H)
			}
			for k, kg := range []int{0, 3, 1, 2} {
				for j := 0; j < H; j++ {
					if b[k*H+j] != m.Bias[kg*H+j] || b[4*H+k*H+j] != 0 {
						t.Fatalf("B[gate %d, unit %d] = %v (recurrent %v), want %v (0)", k, j, b[k*H+j], b[4*H+k*H+j], m.Bias[kg*H+j])
					}
				}
			}
			if got := d.inits["embedding.weight"].floats(); !slices.Equal(got, m.Embedding) {
				t.Error("embedding differs")
			}
			if got := d.inits["dense.weight"].floats(); !slices.Equal(got, m.DenseW) {
				t.Error("dense weight differs")
			}

			// Masking: sequence_lens (5th LSTM input) and the compaction,
			// only for masked models.
			lstm := d.node(t, "LSTM")
			in := lstm.strs(1)
			if c.Masking != (len(in) == 5) {
				t.Errorf("LSTM inputs %q with masking %v", in, c.Masking)
			}
			if c.Masking != slices.Contains(d.opTypes, "TopK") {
				t.Errorf("ops %v: TopK compaction present %v, masking %v", d.opTypes, !c.Masking, c.Masking)
			}
			hs := lstm.all(5)
			var attrs []string
			for _, a := range hs {
				am := mustMsg(t, a.b)
				attrs = append(attrs, am.str(1))
				if am.str(1) == "hidden_size" && (am.int(3) != int64(H) || am.int(20) != attrInt) {
					t.Errorf("hidden_size %d (type %d), want %d (INT)", am.int(3), am.int(20), H)
				}
			}
			if !slices.Contains(attrs, "hidden_size") {
				t.Errorf("LSTM attributes %q lack hidden_size", attrs)
			}

			checkMetadata(t, d, c, info)
		})
	}
}

// checkTopological checks every node input is a graph input, an
// initializer or an earlier node's output, and every output is new.
func checkTopological(t *testing.T, d decoded) {
	t.Helper()
	known := map[string]bool{"": true}
	for _, in := range d.graph.sub(t, 11) {
		known[in.str(1)] = true
	}
	for name := range d.inits {
		known[name] = true
	}
	for i, n := range d.nodes {
		for _, in := range n.strs(1) {
			if !known[in] {
				t.Fatalf("node %d (%s) reads %q before it is made", i, n.str(4), in)
			}
		}
		for _, out := range n.strs(2) {
			if out != "" && known[out] {
				t.Fatalf("node %d (%s) writes %q a second time", i, n.str(4), out)
			}
			known[out] = true
		}
	}
	for _, out := range d.graph.sub(t, 12) {
		if !known[out.str(1)] {
			t.Errorf("graph output %q is never made", out.str(1))
		}
	}
}

// checkIO checks the graph's input and output types and shapes.
func checkIO(t *testing.T, d decoded, c nn.Config) {
	t.Helper()
	type io struct {
		name  string
		dtype int64
		dims  []string
	}
	read := func(v msg) io {
		tt := v.sub(t, 2)[0].sub(t, 1)[0]
		var dims []string
		for _, dim := range tt.sub(t, 2)[0].sub(t, 1) {
			if p := dim.str(2); p != "" {
				dims = append(dims, p)
			} else {
				dims = append(dims, fmt.Sprint(dim.int(1)))
			}
		}
		return io{v.str(1), tt.int(1), dims}
	}
	var got []io
	for _, v := range append(d.graph.sub(t, 11), d.graph.sub(t, 12)...) {
		got = append(got, read(v))
	}
	want := []io{
		{InputTokens, Int64, []string{"batch", fmt.Sprint(c.MaxLen)}},
		{OutputLogit, Float, []string{"batch"}},
		{OutputProbability, Float, []string{"batch"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inputs and outputs %v, want %v", got, want)
	}
}

func checkMetadata(t *testing.T, d decoded, c nn.Config, info Info) {
	t.Helper()
	var vocab []string
	if err := json.Unmarshal([]byte(d.meta["sentilab.vocab"]), &vocab); err != nil || !slices.Equal(vocab, info.Vocab) {
		t.Errorf("metadata vocab %q (%v), want %q", vocab, err, info.Vocab)
	}
	var cfg nn.Config
	if err := json.Unmarshal([]byte(d.meta["sentilab.config"]), &cfg); err != nil || cfg != c {
		t.Errorf("metadata config %+v (%v), want %+v", cfg, err, c)
	}
	var stop []string
	if err := json.Unmarshal([]byte(d.meta["sentilab.stopwords"]), &stop); err != nil || !slices.Equal(stop, text.NLTKStopwords()) {
		t.Errorf("metadata stopwords: %d words (%v), want the %d NLTK ones", len(stop), err, len(text.NLTKStopwords()))
	}
	for k, want := range map[string]string{
		"sentilab.format": Format, "sentilab.max_len": fmt.Sprint(c.MaxLen), "sentilab.padding": c.Padding,
		"sentilab.truncating": c.Padding, "sentilab.masking": fmt.Sprint(c.Masking), "sentilab.oov_id": "1",
		"sentilab.pad_id": "0", "sentilab.tokenizer_filters": KerasFilters, "sentilab.variant": info.Variant,
	} {
		if d.meta[k] != want {
			t.Errorf("metadata %s = %q, want %q", k, d.meta[k], want)
		}
	}
	if !strings.Contains(d.meta["sentilab.preprocessing"], "pad_sequences") {
		t.Errorf("metadata preprocessing does not spell out the padding: %q", d.meta["sentilab.preprocessing"])
	}
}

func TestInt8ModelStructure(t *testing.T) {
	c := nn.Config{Vocab: 10, Embed: 4, Hidden: 3, MaxLen: 7, Padding: "post", Masking: true}
	m, info := testModel(t, c)
	q := compress.Quantize(m)
	om, err := FromInt8(q, info)
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, om)
	checkTopological(t, d)
	checkIO(t, d, c)
	checkMetadata(t, d, c, info)
	E, H := c.Embed, c.Hidden

	// The int8 values are stored as they are, not dequantized.
	if e := d.inits["embedding.weight.q"]; e.dtype != Int8 || !slices.Equal(e.int8s(), q.Emb) {
		t.Errorf("embedding int8 data: dtype %d, equal %v", e.dtype, slices.Equal(e.int8s(), q.Emb))
	}
	if s := d.inits["embedding.weight.scale"].floats(); !slices.Equal(s, q.EmbScale) {
		t.Error("embedding row scales differ")
	}
	W := d.inits["lstm.W.q"]
	if W.dtype != Int8 || !slices.Equal(W.dims, []int64{1, int64(4 * H), int64(E)}) {
		t.Fatalf("lstm.W.q dtype %d dims %v, want int8 [1 %d %d]", W.dtype, W.dims, 4*H, E)
	}
	w, ws := W.int8s(), d.inits["lstm.W.scale"].floats()
	for k, kg := range []int{0, 3, 1, 2} {
		for j := 0; j < H; j++ {
			col := kg*H + j
			if ws[k*H+j] != q.Kernel.Scale[col] {
				t.Fatalf("W scale [gate %d, unit %d] = %v, want column %d's %v", k, j, ws[k*H+j], col, q.Kernel.Scale[col])
			}
			for e := 0; e < E; e++ {
				if w[(k*H+j)*E+e] != q.Kernel.Q[e*4*H+col] {
					t.Fatalf("W.q[gate %d, unit %d, in %d] differs from the int8 kernel", k, j, e)
				}
			}
		}
	}
	// DequantizeLinear per output row of W and R (axis 1 of [1, 4H, in]);
	// one scale for the dense weight.
	var axes []int64
	for i, op := range d.opTypes {
		if op != "DequantizeLinear" {
			continue
		}
		axis := int64(-1)
		for _, a := range d.nodes[i].sub(t, 5) {
			if a.str(1) == "axis" {
				axis = a.int(3)
			}
		}
		axes = append(axes, axis)
	}
	if !slices.Equal(axes, []int64{1, 1, -1}) {
		t.Errorf("DequantizeLinear axes %v, want [1 1 none] (W, R, dense)", axes)
	}
	if ds := d.inits["dense.weight.scale"]; len(ds.dims) != 0 || ds.floats()[0] != q.Dense.Scale[0] {
		t.Errorf("dense scale dims %v value %v, want a scalar %v", ds.dims, ds.floats(), q.Dense.Scale[0])
	}
	if _, ok := d.inits["lstm.W"]; ok {
		t.Error("int8 export also stores float weights")
	}
}

func TestRefusesMismatchedVocab(t *testing.T) {
	c := nn.Config{Vocab: 6, Embed: 2, Hidden: 2, MaxLen: 3, Padding: "post"}
	m, info := testModel(t, c)
	info.Vocab = info.Vocab[:5]
	if _, err := FromFloat(m, info); err == nil || !strings.Contains(err.Error(), "vocabulary has 5 words, config says 6") {
		t.Errorf("FromFloat with 5 words for vocab 6: %v", err)
	}
}

// KerasFilters, written into the file for users, must be exactly the
// characters our tokenizer splits on.
func TestKerasFiltersMatchTokenizer(t *testing.T) {
	tok, err := text.NewTokenizerFromVocab([]string{"", text.OOV, "good", "film"})
	if err != nil {
		t.Fatal(err)
	}
	for r := rune(0); r < 128; r++ {
		got := tok.Sequence("good" + string(r) + "film")
		splits := slices.Equal(got, []int32{2, 3})
		if want := strings.ContainsRune(KerasFilters, r) || r == ' '; splits != want {
			t.Errorf("%q: tokenizer gives %v; in KerasFilters %v", r, got, want)
		}
	}
}

// FromLoaded exports what the file stores: int8 values whatever the variant
// is called (int8-weights runs on the float runtime but stores int8),
// float32 for f32 and f16 files.
func TestFromLoadedFollowsStorage(t *testing.T) {
	c := nn.Config{Vocab: 8, Embed: 3, Hidden: 2, MaxLen: 4, Padding: "pre", Masking: true}
	m, info := testModel(t, c)
	for _, k := range []struct {
		store   compress.Storage
		variant string
		int8    bool
	}{
		{compress.StoreInt8, "int8-weights", true},
		{compress.StoreInt8, "int8", true},
		{compress.StoreF16, "f16", false},
		{compress.StoreF32, "base", false},
	} {
		ts, err := compress.Tensors(m, compress.EncodeOptions{Values: k.store})
		if err != nil {
			t.Fatal(err)
		}
		f, err := modelfile.NewFile(c, info.Vocab, modelfile.Meta{Variant: k.variant, Metrics: map[string]float64{"test_accuracy": 0.5}}, ts)
		if err != nil {
			t.Fatal(err)
		}
		ld, err := modelfile.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		om, err := FromLoaded(ld)
		if err != nil {
			t.Fatal(err)
		}
		d := decode(t, om)
		_, hasQ := d.inits["lstm.W.q"]
		if hasQ != k.int8 || slices.Contains(d.opTypes, "DequantizeLinear") != k.int8 {
			t.Errorf("%s (%s): int8 weights %v, DequantizeLinear %v; want %v", k.variant, k.store, hasQ, !hasQ, k.int8)
		}
		if d.meta["sentilab.variant"] != k.variant || d.meta["sentilab.metric.test_accuracy"] != "0.5" {
			t.Errorf("%s: metadata variant %q, test_accuracy %q", k.variant, d.meta["sentilab.variant"], d.meta["sentilab.metric.test_accuracy"])
		}
	}
}
