package compress

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// qPaths lists the product paths this build and CPU run, each as the
// kernels that force it: this build's default kernels with only that
// product (QDot8 or QDot), and kernels.Portable (the Go loops).
func qPaths() []struct {
	name string
	k    kernels.Kernels
} {
	d := kernels.Default()
	pairs, vnni := d, d
	pairs.QDot8 = nil
	vnni.QDot, vnni.QuantizePairs, vnni.QStep, vnni.QSteps, vnni.QStepsRows = nil, nil, nil, nil, nil
	type path = struct {
		name string
		k    kernels.Kernels
	}
	out := []path{{"portable", kernels.Portable}}
	if pairs.QDot != nil {
		out = append(out, path{"pairs", pairs})
	}
	if vnni.QDot8 != nil {
		out = append(out, path{"vnni", vnni})
	}
	return out
}

// Every product path equals the plain int32 reference bit for bit: shapes
// whose N is or is not a multiple of 16 and 4 (the SIMD paths then hand
// over to the packed loop; AVX2's takes 16 columns a pass, then 4), K not a multiple of 4 or 2 (padding), row
// counts around the 4-row blocks, −128 (a file may hold it) and the
// largest sums.
func TestQMatmulPathsEqualReference(t *testing.T) {
	for _, p := range qPaths() {
		t.Run(p.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(13, 14))
			for _, sh := range [][3]int{{1, 16, 128}, {4, 512, 128}, {5, 32, 7}, {9, 48, 130}, {3, 16, 1}, {7, 12, 5}, {2, 8, 129}, {6, 1, 33}, {1, 64, 3}, {5, 28, 33}, {1, 20, 9}, {2, 16, maxK}} {
				n, N, K := sh[0], sh[1], sh[2]
				q := randomQ(r, K*N)
				x := randomQ(r, n*K)
				for i := 0; i < len(q); i += 17 {
					q[i] = -128
				}
				for i := 0; i < len(x); i += 13 {
					x[i] = -128
				}
				if K == maxK { // every product at 127·127: the largest sums
					for i := range x {
						x[i] = 127
					}
					for i := range q {
						q[i] = 127
					}
				}
				m := NewQMatrix(q, randomMatrix(r, N, 0.01), K, N)
				xs := randomMatrix(r, n, 0.01)
				x64 := make([]int64, len(x))
				for i, v := range x {
					x64[i] = int64(v)
				}
				got, want := randomMatrix(r, n*N, 1), make([]float32, n*N)
				copy(want, got)
				qmatmul(&p.k, &qScratch{}, n, x, xs, nil, m, got)
				qgemmRef(n, x64, xs, m, want)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("n=%d N=%d K=%d: element %d = %v, reference %v", n, N, K, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// The whole int8 model gives the same logits, bit for bit, on every product
// path (in the browser "pairs" includes the one-call step, Kernels.QStep,
// and at batch 1 the input rows read in place, Kernels.QStepsRows, where H
// is a multiple of 8) and with this build's exact gate math against the Go
// loop's: what runs natively is what the portable build and the browser
// compute.
func TestQLogitsSameOnEveryPath(t *testing.T) {
	for _, c := range []nn.Config{
		tinyCfg,
		{Vocab: 300, Embed: 32, Hidden: 16, MaxLen: 24, Padding: "post", Masking: true},
		{Vocab: 300, Embed: 22, Hidden: 12, MaxLen: 24, Padding: "pre"},
		{Vocab: 300, Embed: 8, Hidden: 24, MaxLen: 30, Padding: "pre", Masking: true},
		{Vocab: 300, Embed: 7, Hidden: 8, MaxLen: 20, Padding: "post", Masking: true}, // odd E
	} {
		q := Quantize(initModel(t, c, 21))
		set := randomSet(c, 37, 22)
		for _, act7 := range []bool{false, true} { // the default, and Act7 (act7.go)
			logits := QLogits
			if act7 {
				logits = QLogitsAct7
			}
			ref := func() []float32 { // the step loop as first written: Go loops only
				q.Kernels = kernels.Portable
				oldHoist, oldTable := hoistFloats, tableFloats
				hoistFloats, tableFloats = 0, 0
				defer func() { hoistFloats, tableFloats = oldHoist, oldTable }()
				z, err := logits(context.Background(), q, set, 16, 1)
				if err != nil {
					t.Fatal(err)
				}
				return z
			}()
			G := nn.Gates * c.Hidden
			for _, p := range qPaths() {
				t.Run(fmt.Sprintf("E=%d/H=%d/%s/act7=%v", c.Embed, c.Hidden, p.name, act7), func(t *testing.T) {
					q.Kernels = p.k
					defer func(h, tb int) { hoistFloats, tableFloats = h, tb }(hoistFloats, tableFloats)
					// The input table: none, 30 of the tokens (hits and misses
					// in one step), the whole vocabulary.
					for _, table := range []int{0, 30 * G, 1 << 21} {
						tableFloats = table
						for _, hoist := range []int{0, 1 << 20, 3000} { // never, always, for small batches
							hoistFloats = hoist
							for _, batch := range []int{1, 5, 16} {
								z, err := logits(context.Background(), q, set, batch, 2)
								if err != nil {
									t.Fatal(err)
								}
								for i := range z {
									if math.Float32bits(z[i]) != math.Float32bits(ref[i]) {
										t.Fatalf("table %d, hoist %d, batch %d, example %d: %v, portable Go %v", table, hoist, batch, i, z[i], ref[i])
									}
								}
							}
						}
					}
				})
			}
		}
	}
}

// Act7 is a quantization of the hidden state, not another model: its
// probabilities stay within a few hundredths of the 8-bit runtime's, and
// they do differ (the opt-in changes what is computed).
func TestAct7CloseToInt8(t *testing.T) {
	c := nn.Config{Vocab: 300, Embed: 32, Hidden: 32, MaxLen: 40, Padding: "pre", Masking: true}
	q := Quantize(initModel(t, c, 23))
	set := randomSet(c, 200, 24)
	z8, err := QLogits(context.Background(), q, set, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	z7, err := QLogitsAct7(context.Background(), q, set, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	differ := 0
	for i := range z8 {
		if z7[i] != z8[i] {
			differ++
		}
		worst = max(worst, math.Abs(float64(kernels.Sigmoid(z7[i])-kernels.Sigmoid(z8[i]))))
	}
	if worst > 0.02 || differ < len(z8)/2 {
		t.Fatalf("Act7 against 8 bits: max |Δp| %.4f (want ≤ 0.02), %d of %d logits differ (want most)", worst, differ, len(z8))
	}
	t.Logf("max |Δp| %.5f, %d of %d logits differ", worst, differ, len(z8))
}

// The AVX2 quantizer (Kernels.QuantizeRows) gives quantizeActs' values and
// scales exactly, and the row sums: rows of ordinary values, zeros, signed
// zeros, ties at ±½ steps, NaN and ±Inf (which quantizeActs sends to −127
// through Go's int64 conversion), and rows so small that 1/scale is +Inf.
func TestQuantizeRowsEqualsGo(t *testing.T) {
	const K = 24
	a, n := quantRows(K)
	wq, ws := make([]int8, n*K), make([]float32, n)
	quantizeActs(a, n, K, wq, ws)
	gq, gs, gsum := make([]int8, n*K), make([]float32, n), make([]int32, n)
	k := kernels.Default()
	if k.QuantizeRows == nil {
		t.Skip("no AVX2 quantizer in this build")
	}
	k.QuantizeRows(a, n, K, gq, gs, gsum)
	for i := range wq {
		if gq[i] != wq[i] {
			t.Fatalf("row %d, element %d (%v): %d, Go %d", i/K, i%K, a[i], gq[i], wq[i])
		}
	}
	for i := range ws {
		var sum int32
		for _, v := range wq[i*K : (i+1)*K] {
			sum += int32(v)
		}
		if math.Float32bits(gs[i]) != math.Float32bits(ws[i]) || gsum[i] != sum {
			t.Fatalf("row %d: scale %v sum %d, Go %v %d", i, gs[i], gsum[i], ws[i], sum)
		}
	}
}

// The SIMD128 quantizer (Kernels.QuantizePairs) writes quantizeActs' values, as
// QDot's int16 pairs, and its scales, on the same rows (Go's int64
// conversion saturates in wasm, so NaN and Inf land elsewhere than natively:
// each kernel matches its own build's Go loop).
func TestQuantizePairsEqualsGo(t *testing.T) {
	const K = 24
	a, n := quantRows(K)
	wq, ws := make([]int8, n*K), make([]float32, n)
	quantizeActs(a, n, K, wq, ws)
	words, gs := make([]int32, n*K/2), make([]float32, n)
	for i := range words {
		words[i] = -1 // all overwritten, zero rows included
	}
	k := kernels.Default()
	if k.QuantizePairs == nil {
		t.Skip("no SIMD128 quantizer in this build")
	}
	k.QuantizePairs(a, n, K, words, gs)
	for i := range words {
		if want := pair(wq[2*i], wq[2*i+1]); words[i] != want {
			t.Fatalf("row %d, pair %d (%v, %v): %#x, Go %#x", 2*i/K, i%(K/2), a[2*i], a[2*i+1], words[i], want)
		}
	}
	for i := range ws {
		if math.Float32bits(gs[i]) != math.Float32bits(ws[i]) {
			t.Fatalf("row %d: scale %v, Go %v", i, gs[i], ws[i])
		}
	}
}

// quantRows returns rows of K activations for the quantizer tests.
func quantRows(K int) ([]float32, int) {
	r := rand.New(rand.NewPCG(15, 16))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	var rows [][]float32
	for i := 0; i < 40; i++ {
		rows = append(rows, randomMatrix(r, K, 1+float64(i)))
	}
	special := []float32{0, float32(math.Copysign(0, -1)), nan, inf, -inf, 1e-45, -1e-45, 1e-38, 3e-37, 0.5, -0.5, 127, -127, 63.5, -63.5, 1e30, -1e30}
	for i := 0; i < 60; i++ {
		row := make([]float32, K)
		for k := range row {
			row[k] = special[r.IntN(len(special))]
			if r.IntN(3) == 0 {
				row[k] *= float32(r.NormFloat64())
			}
		}
		rows = append(rows, row)
	}
	tiny := make([]float32, K) // max 2e-43: scale underflows, 1/scale = +Inf
	for k := range tiny {
		tiny[k] = float32(k-12) * 1e-44
	}
	rows = append(rows, make([]float32, K), tiny)
	ties := make([]float32, K) // x = 127 sets the scale to 1: y = x exactly
	ties[0] = 127
	for k := 1; k < K; k++ {
		ties[k] = float32(k-12) + 0.5
	}
	rows = append(rows, ties)
	n := len(rows)
	a := make([]float32, 0, n*K)
	for _, row := range rows {
		a = append(a, row...)
	}
	return a, n
}
