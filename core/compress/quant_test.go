package compress

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/train"
)

func randomMatrix(r *rand.Rand, n int, spread float64) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(r.NormFloat64() * spread * math.Exp(r.NormFloat64()))
	}
	return w
}

// Every element comes back within half its group's scale (plus float32
// rounding of q·s, at most an ulp of 127·s).
func TestQuantizeDequantizeBound(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const rows, cols = 37, 23
	w := randomMatrix(r, rows*cols, 0.1)
	for c := 0; c < cols; c++ {
		w[5*cols+c] = 0 // a zero row
	}
	q, s := QuantizeRows(w, rows, cols)
	d := DequantizeRows(q, s, rows, cols)
	for i := range w {
		sc := s[i/cols]
		if err := math.Abs(float64(w[i] - d[i])); err > float64(sc)/2*(1+1e-6)+1e-12 {
			t.Fatalf("row-quantized element %d: |%v − %v| = %g > scale/2 = %g", i, w[i], d[i], err, sc/2)
		}
	}
	if s[5] != 0 || d[5*cols] != 0 {
		t.Errorf("zero row: scale %v, value %v; want 0, 0", s[5], d[5*cols])
	}
	q, s = QuantizeCols(w, rows, cols)
	d = DequantizeCols(q, s, rows, cols)
	hit127 := 0
	for i := range w {
		sc := s[i%cols]
		if err := math.Abs(float64(w[i] - d[i])); err > float64(sc)/2*(1+1e-6)+1e-12 {
			t.Fatalf("column-quantized element %d: |%v − %v| = %g > scale/2 = %g", i, w[i], d[i], err, sc/2)
		}
		if q[i] == 127 || q[i] == -127 {
			hit127++
		}
		if q[i] == -128 {
			t.Fatalf("element %d quantized to −128; the range is symmetric", i)
		}
	}
	if hit127 < cols {
		t.Errorf("%d elements at ±127, want at least one per column (%d)", hit127, cols)
	}
}

func randomQ(r *rand.Rand, n int) []int8 {
	q := make([]int8, n)
	for i := range q {
		switch r.IntN(5) {
		case 0:
			q[i] = 127
		case 1:
			q[i] = -127
		default:
			q[i] = int8(r.IntN(255) - 127)
		}
	}
	return q
}

// The packed two-lane kernel equals the plain int32 one bit for bit, at
// extreme values and odd shapes, up to the longest exact reduction.
func TestQGemmPackedEqualsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sh := range [][3]int{{1, 1, 1}, {5, 7, 3}, {4, 512, 128}, {9, 33, 300}, {7, 12, 5}, {2, 8, 129}, {3, 4, maxK}} {
		n, N, K := sh[0], sh[1], sh[2]
		m := NewQMatrix(randomQ(r, K*N), randomMatrix(r, N, 0.01), K, N)
		x := make([]int64, n*K)
		for i, v := range randomQ(r, n*K) {
			x[i] = int64(v)
		}
		if K == maxK { // every product at +127·127: the largest sums
			for i := range x {
				x[i] = 127
			}
			for i := range m.Q {
				m.Q[i] = 127
			}
			m = NewQMatrix(m.Q, m.Scale, K, N)
		}
		xs := randomMatrix(r, n, 0.01)
		got, want := make([]float32, n*N), make([]float32, n*N)
		qgemm(n, x, xs, m, got)
		qgemmRef(n, x, xs, m, want)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d N=%d K=%d: element %d = %v, reference %v", n, N, K, i, got[i], want[i])
			}
		}
	}
}

// The int8 product of quantized activations and weights equals the float
// product within the quantization error: with x = x̂ + δx, |δx| ≤ sx/2 and
// w = ŵ + δw, |δw| ≤ sw/2, |Σxw − Σx̂ŵ| ≤ Σ(|x|·sw/2 + |ŵ|·sx/2).
func TestInt8ProductWithinQuantizationError(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const n, K, N = 6, 70, 19
	x := randomMatrix(r, n*K, 0.5)
	w := randomMatrix(r, K*N, 0.1)
	wq, ws := QuantizeCols(w, K, N)
	m := NewQMatrix(wq, ws, K, N)
	xq := make([]int8, n*K)
	xs := make([]float32, n)
	quantizeActs(x, n, K, xq, xs)
	got := make([]float32, n*N)
	k := kernels.Default()
	qmatmul(&k, &qScratch{}, n, xq, xs, nil, m, got)
	worst := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < N; j++ {
			var exact, bound, mag float64
			for k := 0; k < K; k++ {
				xv, wv := float64(x[i*K+k]), float64(w[k*N+j])
				exact += xv * wv
				bound += math.Abs(xv)*float64(ws[j])/2 + math.Abs(float64(wq[k*N+j]))*float64(ws[j])*float64(xs[i])/2
				mag += math.Abs(xv * wv)
			}
			bound += 1e-6 * mag // float32 rescaling
			e := math.Abs(float64(got[i*N+j]) - exact)
			if e > bound {
				t.Fatalf("out[%d,%d] = %v, float %v: error %g > bound %g", i, j, got[i*N+j], exact, e, bound)
			}
			worst = max(worst, e/bound)
		}
	}
	t.Logf("worst error / bound = %.3f", worst)
	// Activations too: each within half its row's scale.
	for i := range x {
		if e := math.Abs(float64(x[i]) - float64(xq[i])*float64(xs[i/K])); e > float64(xs[i/K])/2*(1+1e-5) {
			t.Fatalf("activation %d: error %g > scale/2 %g", i, e, xs[i/K]/2)
		}
	}
}

// The int8 LSTM follows the float one closely, and the int8 model read from
// a written file is the one quantized in memory, bit for bit.
func TestQModelMatchesFloatAndFile(t *testing.T) {
	for _, masking := range []bool{true, false} {
		c := tinyCfg
		c.Masking = masking
		m := initModel(t, c, 11)
		set := randomSet(c, 50, 12)
		want, err := train.Logits(context.Background(), m, set, train.EvalOptions{BatchSize: 16})
		if err != nil {
			t.Fatal(err)
		}
		q := Quantize(m)
		got, err := QLogits(context.Background(), q, set, 16, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 0.02 {
				t.Errorf("masking %v, example %d: int8 logit %v, float %v", masking, i, got[i], want[i])
			}
		}
		ts, err := Tensors(m, EncodeOptions{Values: StoreInt8})
		if err != nil {
			t.Fatal(err)
		}
		ld, _ := roundTrip(t, m, ts, "int8")
		qf, err := NewQModel(ld)
		if err != nil {
			t.Fatal(err)
		}
		got2, _ := QLogits(context.Background(), qf, set, 7, 1)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(got2[i]) {
				t.Fatalf("example %d: from file %v, in memory %v", i, got2[i], got[i])
			}
		}
	}
}

// Each encoding survives write → read with the values it promises.
func TestEncodingsRoundTrip(t *testing.T) {
	m := initModel(t, tinyCfg, 21)
	m.Embedding[3] = 70000 // beyond float16
	if _, err := Tensors(m, EncodeOptions{Values: StoreF16}); err == nil {
		t.Error("float16 encoding accepted 70000")
	}
	m.Embedding[3] = 0.5
	ts, err := Tensors(m, EncodeOptions{Values: StoreF16})
	if err != nil {
		t.Fatal(err)
	}
	ld, _ := roundTrip(t, m, ts, "float16")
	for k, p := range m.Params() {
		got := ld.Model.Params()[k].W
		for i, w := range p.W {
			if got[i] != modelfile.F32FromF16(modelfile.F16FromF32(w)) {
				t.Fatalf("f16 %s[%d] = %v from %v", p.Name, i, got[i], w)
			}
		}
	}
	// Sparse: half the embedding zeroed is stored as mask + values, exactly.
	for i := 0; i < len(m.Embedding); i += 2 {
		m.Embedding[i] = 0
	}
	for _, st := range []Storage{StoreF32, StoreInt8} {
		ts, err = Tensors(m, EncodeOptions{Values: st, Sparse: true})
		if err != nil {
			t.Fatal(err)
		}
		hasMask := false
		for _, x := range ts {
			hasMask = hasMask || x.Name == "embedding.weight.mask"
		}
		if !hasMask {
			t.Errorf("%s: half-zero embedding not stored sparse", st)
		}
		ld, _ = roundTrip(t, m, ts, "pruned")
		got := ld.Model.Embedding
		_, scale := QuantizeTensor(m.Embedding) // one scale for all values
		for i, w := range m.Embedding {
			bad := got[i] != w
			if st == StoreInt8 {
				bad = w == 0 && got[i] != 0 || math.Abs(float64(got[i]-w)) > float64(scale)/2*(1+1e-6)
			}
			if bad {
				t.Fatalf("%s sparse embedding[%d] = %v from %v", st, i, got[i], w)
			}
		}
		if st == StoreInt8 { // the DRQ runtime reads sparse int8 values too
			if _, err := NewQModel(ld); err != nil {
				t.Fatal(err)
			}
		}
	}
}
