package modelfile

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sentilab/core/nn"
)

func TestRoundTripBitExact(t *testing.T) {
	m := randomModel(t, smallCfg, 3)
	m.Embedding[5] = float32(math.Copysign(0, -1)) // -0 survives too
	m.Kernel[0] = math.SmallestNonzeroFloat32
	vocab := vocabOf(smallCfg.Vocab)
	var buf bytes.Buffer
	if err := Save(&buf, m, vocab, testMeta); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if n := len(b) - 8 - 4*m.NumParams(); (8+n)%8 != 0 {
		t.Errorf("data section starts at %d, not 8-byte aligned", 8+n)
	}
	l, err := Load(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if l.Model.Cfg != smallCfg {
		t.Errorf("config %+v, want %+v", l.Model.Cfg, smallCfg)
	}
	got, want := l.Model.Params(), m.Params()
	for i := range want {
		if got[i].Name != want[i].Name || !reflect.DeepEqual(got[i].Shape, want[i].Shape) {
			t.Fatalf("param %d: %s %v, want %s %v", i, got[i].Name, got[i].Shape, want[i].Name, want[i].Shape)
		}
		for j := range want[i].W {
			if math.Float32bits(got[i].W[j]) != math.Float32bits(want[i].W[j]) {
				t.Fatalf("%s[%d] = %v, want %v (bit-exact)", want[i].Name, j, got[i].W[j], want[i].W[j])
			}
		}
	}
	if !reflect.DeepEqual(l.Vocab, vocab) {
		t.Errorf("vocab %q", l.Vocab)
	}
	if !reflect.DeepEqual(l.Meta, testMeta) {
		t.Errorf("meta %+v\nwant %+v", l.Meta, testMeta)
	}
	// Same model, same bytes.
	var again bytes.Buffer
	Save(&again, m, vocab, testMeta)
	if !bytes.Equal(again.Bytes(), b) {
		t.Error("two saves of one model differ")
	}
	if n, err := Size(l.File); err != nil || n != int64(len(b)) {
		t.Errorf("Size = %d, %v; want %d", n, err, len(b))
	}
	// Bytes: the same bytes, in a buffer of their size.
	if bb, err := Bytes(l.File); err != nil || !bytes.Equal(bb, b) || cap(bb) != len(bb) {
		t.Errorf("Bytes: %d bytes (capacity %d), %v; equal to Write's: %v", len(bb), cap(bb), err, bytes.Equal(bb, b))
	}
	// The metadata a foreign reader sees.
	md := l.File.Metadata
	if md["format"] != "sentilab/1" || md["variant"] != "base" ||
		md["config"] != `{"vocab":12,"embed":3,"hidden":2,"max_len":7,"padding":"post","masking":true,"dropout":0.2,"preprocessing":"thesis"}` ||
		!strings.HasPrefix(md["vocab"], `["","<OOV>","w2",`) ||
		md["provenance"] != `{"seed":42,"data_hash":"72d7e415","command":"lab train --seed 42","time":"2026-11-28T00:00:00Z"}` {
		t.Errorf("metadata %q", md)
	}
}

// The thesis shape: 2,691,713 parameters, 10,766,852 bytes of F32 data.
func TestThesisShapeSize(t *testing.T) {
	cfg := thesisCfg
	m, _ := nn.NewModel(cfg)
	f, err := Encode(m, vocabOf(cfg.Vocab), Meta{Variant: "base"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := Size(f)
	if err != nil {
		t.Fatal(err)
	}
	hdr := n - 4*2691713
	t.Logf("thesis-shape file: %d bytes (%d of header)", n, hdr)
	if hdr <= 0 || hdr > 400_000 {
		t.Fatalf("header %d bytes", hdr)
	}
}

// Every compressed encoding decodes to the expected dense weights.
func TestCompressedEncodings(t *testing.T) {
	c := smallCfg // V=12, E=3, H=2: kernel [3,8]
	m := randomModel(t, c, 5)
	vocab := vocabOf(c.Vocab)
	V, E, H := c.Vocab, c.Embed, c.Hidden

	// Embedding: I8 with one scale per row.
	q := make([]int8, V*E)
	rowScale := make([]float32, V)
	wantEmb := make([]float32, V*E)
	for r := 0; r < V; r++ {
		rowScale[r] = float32(r+1) / 64
		for k := 0; k < E; k++ {
			q[r*E+k] = int8(r*7 - k*40)
			wantEmb[r*E+k] = float32(q[r*E+k]) * rowScale[r]
		}
	}
	// Kernel: I8 with one scale per output column.
	kq := make([]int8, E*4*H)
	colScale := make([]float32, 4*H)
	wantKernel := make([]float32, E*4*H)
	for j := range colScale {
		colScale[j] = 0.5 + float32(j)
	}
	for i := range kq {
		kq[i] = int8(i - 12)
		wantKernel[i] = float32(kq[i]) * colScale[i%(4*H)]
	}
	// Recurrent: sparse with F16 values. Bias: F16. Dense weight: sparse
	// I8 values with one scale. Dense bias: I8 with a [1] scale.
	rec := append([]float32(nil), m.Recurrent...)
	for i := range rec {
		if i%3 != 0 {
			rec[i] = 0
		}
	}
	recMask, recVals := PackMask(rec)
	wantRec := make([]float32, len(rec))
	for i, x := range rec {
		wantRec[i] = F32FromF16(F16FromF32(x))
	}
	wantBias := make([]float32, 4*H)
	for i, x := range m.Bias {
		wantBias[i] = F32FromF16(F16FromF32(x))
	}
	dw := []float32{0, 1.5}
	dwMask, _ := PackMask(dw)

	ts := []Tensor{
		I8Tensor("embedding.weight", []int{V, E}, q),
		F32Tensor("embedding.weight.scale", []int{V, 1}, rowScale),
		I8Tensor("lstm.kernel", []int{E, 4 * H}, kq),
		F32Tensor("lstm.kernel.scale", []int{1, 4 * H}, colScale),
		U8Tensor("lstm.recurrent.mask", []int{len(recMask)}, recMask),
		F16Tensor("lstm.recurrent.values", []int{len(recVals)}, recVals),
		F16Tensor("lstm.bias", []int{4 * H}, m.Bias),
		U8Tensor("dense.weight.mask", []int{1}, dwMask),
		I8Tensor("dense.weight.values", []int{1}, []int8{3}),
		F32Tensor("dense.weight.values.scale", []int{1}, []float32{0.5}),
		I8Tensor("dense.bias", []int{1}, []int8{-4}),
		F32Tensor("dense.bias.scale", []int{1}, []float32{0.25}),
	}
	f, err := NewFile(c, vocab, Meta{Variant: "mixed"}, ts)
	if err != nil {
		t.Fatal(err)
	}
	b := encodeBytes(t, f)
	l, err := Load(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want []float32) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v\nwant %v", name, got, want)
		}
	}
	check("embedding", l.Model.Embedding, wantEmb)
	check("kernel", l.Model.Kernel, wantKernel)
	check("recurrent", l.Model.Recurrent, wantRec)
	check("bias", l.Model.Bias, wantBias)
	check("dense.weight", l.Model.DenseW, []float32{0, 1.5})
	check("dense.bias", l.Model.DenseB, []float32{-1})

	// The tensor data is really smaller than the dense model's (at this
	// toy size the longer header outweighs it; TestThesisShapeSize sizes
	// the real shape).
	dataBytes := func(f *File) (n int) {
		for _, t := range f.Tensors {
			n += len(t.Data)
		}
		return n
	}
	dense, _ := Encode(m, vocab, Meta{})
	if dataBytes(f) >= dataBytes(dense) {
		t.Errorf("compressed data %d bytes, dense %d", dataBytes(f), dataBytes(dense))
	}
	if got := SparseF32("x", []float32{0, 2, 0, 0, 0, 0, 0, 0, 3}); got[0].Data[0] != 2 || got[0].Data[1] != 1 || len(got[1].Data) != 8 {
		t.Errorf("SparseF32 mask %v values %d bytes", got[0].Data, len(got[1].Data))
	}
}

func TestDecodeRefuses(t *testing.T) {
	c := smallCfg
	m := randomModel(t, c, 9)
	vocab := vocabOf(c.Vocab)
	base := func() []Tensor {
		f, err := Encode(m, vocab, Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return f.Tensors
	}
	without := func(name string, add ...Tensor) []Tensor {
		var out []Tensor
		for _, t := range base() {
			if t.Name != name {
				out = append(out, t)
			}
		}
		return append(out, add...)
	}
	nan := append([]float32(nil), m.Bias...)
	nan[3] = float32(math.NaN())
	cases := []struct {
		name    string
		tensors []Tensor
		want    string
	}{
		{"extra tensor", append(base(), F32Tensor("attention.weight", []int{1}, []float32{1})),
			`unexpected tensor(s) ["attention.weight"]`},
		{"two encodings", append(base(), SparseF32("lstm.bias", m.Bias)...),
			`unexpected tensor(s) ["lstm.bias.mask" "lstm.bias.values"]`},
		{"missing", without("lstm.bias"), `missing tensor "lstm.bias" (or "lstm.bias.mask" with "lstm.bias.values")`},
		{"wrong shape", without("dense.weight", F32Tensor("dense.weight", []int{1, 2}, m.DenseW)),
			`tensor "dense.weight": shape [1 2], want [2 1]`},
		{"nan", without("lstm.bias", F32Tensor("lstm.bias", []int{8}, nan)), `tensor "lstm.bias": element 3 is NaN`},
		{"f16 overflow", without("lstm.bias", F16Tensor("lstm.bias", []int{8}, []float32{0, 70000, 0, 0, 0, 0, 0, 0})),
			`tensor "lstm.bias": element 1 is +Inf`},
		{"i8 without scale", without("lstm.bias", I8Tensor("lstm.bias", []int{8}, make([]int8, 8))),
			`tensor "lstm.bias" is I8 but "lstm.bias.scale" is missing`},
		{"bad scale axis", without("lstm.kernel", I8Tensor("lstm.kernel", []int{3, 8}, make([]int8, 24)),
			F32Tensor("lstm.kernel.scale", []int{3}, make([]float32, 3))),
			`tensor "lstm.kernel.scale": shape [3] does not broadcast to "lstm.kernel"'s [3 8]`},
		{"u8 weights", without("dense.bias", U8Tensor("dense.bias", []int{1}, []byte{1})),
			`tensor "dense.bias": dtype U8 cannot hold weights`},
		{"mask too short", without("lstm.bias", U8Tensor("lstm.bias.mask", []int{0}, nil), F32Tensor("lstm.bias.values", []int{0}, nil)),
			`tensor "lstm.bias.mask" (mask of [8]): 0 bytes, want 1 for 8 elements`},
		{"mask padding", without("dense.weight", U8Tensor("dense.weight.mask", []int{1}, []byte{0x05}), F32Tensor("dense.weight.values", []int{2}, []float32{1, 2})),
			`tensor "dense.weight.mask" (mask of [2 1]): padding bits after element 2 are set`},
		{"values count", without("dense.weight", U8Tensor("dense.weight.mask", []int{1}, []byte{0x03}), F32Tensor("dense.weight.values", []int{1}, []float32{1})),
			`tensor "dense.weight.values": shape [1], want [2]`},
		{"bad data length", without("dense.bias", Tensor{Name: "dense.bias", DType: "F32", Shape: []int{1}, Data: []byte{1}}),
			`tensor "dense.bias": 1 data bytes, want 4`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(&File{Metadata: mustMeta(t), Tensors: c.tensors})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s", err, c.want)
			}
			if _, err := NewFile(smallCfg, vocab, Meta{}, c.tensors); err == nil {
				t.Fatal("NewFile accepted it")
			}
		})
	}
}

func mustMeta(t *testing.T) map[string]string {
	f, err := Encode(randomModel(t, smallCfg, 1), vocabOf(smallCfg.Vocab), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return f.Metadata
}

func TestMetadataRefused(t *testing.T) {
	good := mustMeta(t)
	tensors := func() []Tensor {
		f, _ := Encode(randomModel(t, smallCfg, 1), vocabOf(smallCfg.Vocab), Meta{})
		return f.Tensors
	}()
	set := func(k, v string) map[string]string {
		md := map[string]string{}
		for a, b := range good {
			md[a] = b
		}
		if v == "<delete>" {
			delete(md, k)
		} else {
			md[k] = v
		}
		return md
	}
	for _, c := range []struct {
		md   map[string]string
		want string
	}{
		{set("format", "<delete>"), `no "format" metadata: not a Sentilab model file`},
		{set("format", "sentilab/2"), `format "sentilab/2", want "sentilab/1"`},
		{set("config", "<delete>"), `missing metadata "config"`},
		{set("config", `{"vocab":12,"embed":3,"hidden":2,"max_len":7,"padding":"post","heads":4}`), `metadata "config": json: unknown field "heads"`},
		{set("config", `{"vocab":12,"embed":3,"hidden":2,"max_len":7,"padding":"left"}`), `metadata config: config: padding "left"`},
		{set("vocab", `["a","b"]`), `metadata vocab has 2 words, config says 12`},
		{set("vocab", `["a"`), `metadata "vocab": unexpected EOF`},
		{set("metrics", `{"acc":"high"}`), `metadata "metrics"`},
		{set("provenance", `{"seed":-1}`), `metadata "provenance"`},
	} {
		_, err := Decode(&File{Metadata: c.md, Tensors: tensors})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v\nwant an error containing %s", err, c.want)
		}
	}
	if _, err := NewFile(smallCfg, vocabOf(5), Meta{}, tensors); err == nil || !strings.Contains(err.Error(), "vocabulary has 5 words, config says 12") {
		t.Errorf("NewFile with a short vocab: %v", err)
	}
	if _, err := NewFile(smallCfg, vocabOf(12), Meta{Extra: map[string]string{"vocab": "x"}}, tensors); err == nil {
		t.Error("NewFile let Extra override vocab")
	}
	if _, err := NewFile(smallCfg, vocabOf(12), Meta{Metrics: map[string]float64{"a": math.Inf(1)}}, tensors); err == nil {
		t.Error("NewFile accepted an infinite metric")
	}
}

func TestSaveLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "base.safetensors")
	m := randomModel(t, smallCfg, 11)
	vocab := vocabOf(smallCfg.Vocab)
	if err := SaveFile(path, m, vocab, testMeta); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	l, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Model.DenseB[0] != m.DenseB[0] {
		t.Fatal("LoadFile changed the weights")
	}
	// A failed save leaves the existing file as it was, and no temp file.
	if err := SaveFile(path, m, vocab[:3], testMeta); err == nil {
		t.Fatal("SaveFile accepted a short vocabulary")
	}
	bad := &File{Tensors: []Tensor{{Name: "x", DType: "F32", Shape: []int{1}}}}
	if err := WriteFile(path, bad); err == nil {
		t.Fatal("WriteFile accepted a bad tensor")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed save changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("folder holds %d entries, want only the model file", len(entries))
	}
	// A corrupt file names its path.
	os.WriteFile(path, before[:100], 0o644)
	if _, err := LoadFile(path); err == nil || !strings.HasPrefix(err.Error(), path+": modelfile: ") {
		t.Fatalf("LoadFile of a corrupt file: %v", err)
	}
}
