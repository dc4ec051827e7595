package compress

import (
	"testing"

	"sentilab/core/nn"
)

// An int8 file's weight matrices hold at most 255 distinct values each,
// counted over the tensor; the same weights dequantized are thousands of
// float32 values (up to 255 per row or column scale).
func TestDistinctInt8PerTensor(t *testing.T) {
	cfg := nn.Config{Vocab: 300, Embed: 16, Hidden: 16, MaxLen: 9, Padding: "post", Masking: true}
	m := initModel(t, cfg, 7)
	int8 := EncodeOptions{Values: StoreInt8}
	ts, err := Tensors(m, int8)
	if err != nil {
		t.Fatal(err)
	}
	ld, _ := roundTrip(t, m, ts, "int8")
	for _, p := range ld.Model.Params() {
		got := Distinct(p, int8, 1000)
		floats := Distinct(p, EncodeOptions{Values: StoreF32}, 1000)
		t.Logf("%s %v: %d int8 codes, %d float32 values dequantized", p.Name, p.Shape, got, floats)
		switch {
		case len(p.Shape) == 1:
			if got != floats {
				t.Errorf("%s: a bias stays float32: %d distinct, want its %d float32 values", p.Name, got, floats)
			}
		case got > 255 || got < min(100, len(p.W)):
			t.Errorf("%s: %d distinct int8 codes, want %d to 255 (%d weights)", p.Name, got, min(100, len(p.W)), len(p.W))
		}
	}
	emb := ld.Model.Params()[0]
	if f := Distinct(emb, EncodeOptions{Values: StoreF32}, 1000); f != 1000 {
		t.Errorf("the dequantized embedding has %d distinct float32 values, want ≥ 1,000 (a scale per row)", f)
	}
	if f := Distinct(m.Params()[0], EncodeOptions{Values: StoreF32}, 1000); f != 1000 {
		t.Errorf("the float32 embedding: %d distinct, want the limit 1,000", f)
	}
}

// A sparse int8 tensor counts its masked zeros as one value: a tensor of
// zeros and one weight has two.
func TestDistinctSparseInt8(t *testing.T) {
	w := make([]float32, 400)
	w[17] = 0.25
	p := nn.Param{Name: "lstm.kernel", Shape: []int{20, 20}, W: w}
	if got := Distinct(p, EncodeOptions{Values: StoreInt8, Sparse: true}, 1000); got != 2 {
		t.Errorf("sparse int8: %d distinct, want 2 (0 and 127)", got)
	}
	if got := Distinct(p, EncodeOptions{Values: StoreInt8}, 1000); got != 2 {
		t.Errorf("dense int8: %d distinct, want 2", got)
	}
	if got := Distinct(p, EncodeOptions{Values: StoreInt8}, 1); got != 1 {
		t.Errorf("limit 1: %d", got)
	}
}
