package compress

import (
	"bytes"
	"context"
	"math"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
)

type variantFile struct {
	name  string
	bytes []byte
	model *nn.Model // the weights the file promises, as float32
}

// variantFiles writes one file of every encoding of a pruned tiny model.
func variantFiles(t testing.TB) []variantFile {
	m := initModel(t, tinyCfg, 31)
	for i := 0; i < len(m.Embedding); i += 3 {
		m.Embedding[i] = 0
	}
	V, E, H := tinyCfg.Vocab, tinyCfg.Embed, tinyCfg.Hidden
	f16 := cloneModel(t, m)
	for _, p := range f16.Params() {
		for i, w := range p.W {
			p.W[i] = modelfile.F32FromF16(modelfile.F16FromF32(w))
		}
	}
	i8 := cloneModel(t, m)
	q, s := QuantizeRows(m.Embedding, V, E)
	i8.Embedding = DequantizeRows(q, s, V, E)
	q, s = QuantizeCols(m.Kernel, E, 4*H)
	i8.Kernel = DequantizeCols(q, s, E, 4*H)
	q, s = QuantizeCols(m.Recurrent, H, 4*H)
	i8.Recurrent = DequantizeCols(q, s, H, 4*H)
	q, s = QuantizeCols(m.DenseW, H, 1)
	i8.DenseW = DequantizeCols(q, s, H, 1)
	var out []variantFile
	for _, v := range []struct {
		name string
		opt  EncodeOptions
		want *nn.Model
	}{
		{"f32", EncodeOptions{Values: StoreF32}, m},
		{"sparse", EncodeOptions{Values: StoreF32, Sparse: true}, m},
		{"f16", EncodeOptions{Values: StoreF16}, f16},
		{"int8", EncodeOptions{Values: StoreInt8}, i8},
	} {
		ts, err := Tensors(m, v.opt)
		if err != nil {
			t.Fatal(err)
		}
		_, b := roundTrip(t, m, ts, v.name)
		out = append(out, variantFile{v.name, b, v.want})
	}
	return out
}

func cloneModel(t testing.TB, m *nn.Model) *nn.Model {
	c, err := nn.NewModel(m.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range c.Params() {
		copy(p.W, m.Params()[k].W)
	}
	return c
}

// Every variant survives write → read → predict bit for bit: the weights
// read are exactly those promised, and so are the predictions.
func TestVariantsPredictBitExactly(t *testing.T) {
	set := randomSet(tinyCfg, 40, 32)
	opt := train.EvalOptions{BatchSize: 16, Kernels: kernels.Portable}
	for _, v := range variantFiles(t) {
		ld, err := modelfile.Load(bytes.NewReader(v.bytes), int64(len(v.bytes)))
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		for k, p := range ld.Model.Params() {
			want := v.model.Params()[k].W
			for i := range p.W {
				if math.Float32bits(p.W[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: %s[%d] = %v, want %v", v.name, p.Name, i, p.W[i], want[i])
				}
			}
		}
		got, _ := train.Logits(context.Background(), ld.Model, set, opt)
		want, _ := train.Logits(context.Background(), v.model, set, opt)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: logit %d = %v, want %v", v.name, i, got[i], want[i])
			}
		}
	}
}

// Truncated and tampered files of every variant are refused with an error,
// never a panic, and never half-loaded.
func TestVariantsRefuseDamage(t *testing.T) {
	for _, v := range variantFiles(t) {
		b := v.bytes
		for _, n := range []int{0, 7, 8, 100, len(b) / 2, len(b) - 1} {
			if _, err := modelfile.Load(bytes.NewReader(b[:n]), int64(n)); err == nil {
				t.Errorf("%s truncated to %d of %d bytes: accepted", v.name, n, len(b))
			}
		}
		// Data bytes flipped to NaN/Inf patterns: accepted only if every
		// weight is still finite, and then the int8 runtime loads too.
		for off := len(b) - 1; off > len(b)-200 && off > 0; off -= 13 {
			c := bytes.Clone(b)
			c[off] ^= 0xff
			ld, err := modelfile.Load(bytes.NewReader(c), int64(len(c)))
			if err == nil {
				if _, err := NewQModel(ld); err != nil {
					t.Errorf("%s byte %d flipped: loads but the int8 runtime refuses: %v", v.name, off, err)
				}
			}
		}
	}
}

// FuzzVariantFile: any bytes either fail to load or load into a model that
// both runtimes can run without panicking.
func FuzzVariantFile(f *testing.F) {
	for _, v := range variantFiles(f) {
		f.Add(v.bytes)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ld, err := modelfile.Load(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if ld.Model.Cfg.Vocab*ld.Model.Cfg.Embed > 1<<20 || ld.Model.Cfg.MaxLen > 64 {
			return
		}
		q, err := NewQModel(ld)
		if err != nil {
			return
		}
		c := ld.Model.Cfg
		s := randomSet(c, 4, 1)
		QLogits(context.Background(), q, s, 4, 1)
	})
}
