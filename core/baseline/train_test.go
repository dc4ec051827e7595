package baseline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// synthetic returns n reviews in a toy language where a few words carry
// the sentiment, "not great" is negative although "great" is positive, and
// some reviews carry a word of the other side.
func synthetic(n int, seed uint64) ([]string, []int) {
	r := rand.New(rand.NewPCG(seed, 7))
	pos := []string{"great", "wonderful", "moving", "superb", "loved"}
	neg := []string{"awful", "boring", "waste", "dull", "worst"}
	neutral := []string{"movie", "film", "plot", "actor", "scene", "the", "and", "was", "story", "ending"}
	texts, labels := make([]string, n), make([]int, n)
	for i := range texts {
		label := r.IntN(2)
		var w []string
		for k := 8 + r.IntN(12); k > 0; k-- {
			w = append(w, neutral[r.IntN(len(neutral))])
		}
		own, other := pos, neg
		if label == 0 {
			own, other = neg, pos
		}
		for k := 1 + r.IntN(3); k > 0; k-- {
			w[r.IntN(len(w))] = own[r.IntN(len(own))]
		}
		if r.IntN(4) == 0 {
			w[r.IntN(len(w))] = other[r.IntN(len(other))]
		}
		if label == 0 && r.IntN(3) == 0 {
			w = append(w, "not", "great")
		}
		texts[i], labels[i] = strings.Join(w, " ")+".", label
	}
	return texts, labels
}

// randomRows is a sparse B×V matrix with about density·V entries a row.
func randomRows(b, v int, density float64, r *rand.Rand) *rows {
	x := &rows{}
	for i := 0; i < b; i++ {
		var idx []int32
		var val []float32
		for j := 0; j < v; j++ {
			if r.Float64() < density {
				idx = append(idx, int32(j))
				val = append(val, float32(r.NormFloat64()))
			}
		}
		x.add(idx, val)
	}
	return x
}

// The objective's gradient against central differences: with h = 1e-6 the
// truncation error is O(h²·J”') ≈ 1e-12 and the rounding error ≈ 1e-16/h
// = 1e-10, so 1e-7 relative (to max(1, |g|)) leaves a wide margin yet
// catches any wrong term (a missing 1/B or regularizer is off by far more).
func TestGradientFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const B, V = 37, 11
	x := randomRows(B, V, 0.4, r)
	y := make([]float64, B)
	for i := range y {
		y[i] = float64(r.IntN(2))
	}
	theta := make([]float64, V+1)
	for j := range theta {
		theta[j] = r.NormFloat64()
	}
	for _, workers := range []int{1, 3} {
		obj := newObjective(x, y, 0.7, workers, V+1)
		g := make([]float64, V+1)
		obj.eval(theta, g)
		scratch := make([]float64, V+1)
		for j := range theta {
			const h = 1e-6
			old := theta[j]
			theta[j] = old + h
			fp := obj.eval(theta, scratch)
			theta[j] = old - h
			fm := obj.eval(theta, scratch)
			theta[j] = old
			fd := (fp - fm) / (2 * h)
			if math.Abs(fd-g[j]) > 1e-7*math.Max(1, math.Abs(g[j])) {
				t.Errorf("workers %d: ∂J/∂θ[%d] = %.12g, finite difference %.12g", workers, j, g[j], fd)
			}
		}
	}
	// And the value itself, summed by hand for θ = 0: J = ln 2 exactly
	// (σ(0) = ½ for every review, no regularization at w = 0).
	obj := newObjective(x, y, 1, 1, V+1)
	if j := obj.eval(make([]float64, V+1), make([]float64, V+1)); math.Abs(j-math.Ln2) > 1e-15 {
		t.Errorf("J(0) = %v, want ln 2 = %v", j, math.Ln2)
	}
}

// L-BFGS finds the minimum of Rosenbrock's function, (1, 1), and of a
// badly conditioned quadratic, to the tolerance asked.
func TestLBFGS(t *testing.T) {
	rosen := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	x := []float64{-1.2, 1}
	res, err := lbfgs(context.Background(), rosen, x, 500, 10, 1e-9, 0, nil)
	if err != nil || !res.Converged || math.Abs(x[0]-1) > 1e-6 || math.Abs(x[1]-1) > 1e-6 {
		t.Errorf("Rosenbrock: x = %v, %+v, %v", x, res, err)
	}
	quad := func(x, g []float64) float64 {
		f := 0.0
		for i := range x {
			c := math.Pow(10, float64(i)) // condition number 1e4
			d := x[i] - float64(i)
			f += 0.5 * c * d * d
			g[i] = c * d
		}
		return f
	}
	x = make([]float64, 5)
	res, err = lbfgs(context.Background(), quad, x, 200, 10, 1e-10, 0, nil)
	for i := range x {
		if math.Abs(x[i]-float64(i)) > 1e-9 {
			t.Errorf("quadratic: x = %v (%+v, %v)", x, res, err)
			break
		}
	}
	// A cancelled context stops it with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lbfgs(ctx, quad, make([]float64, 5), 200, 10, 0, 0, nil); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

func hashModel(m *Model) string {
	h := sha256.New()
	for j, term := range m.Terms {
		h.Write([]byte(term))
		binary.Write(h, binary.LittleEndian, m.IDF[j])
		binary.Write(h, binary.LittleEndian, m.Weights[j])
	}
	binary.Write(h, binary.LittleEndian, m.Bias)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// goldenSynthetic is the hash of the model trained below. The same test
// runs natively and under WebAssembly, so one constant for both means the
// two builds train bit-identically (vocabulary order, idf, every L-BFGS
// step). If a deliberate change to the numerics moves it, update it from
// the native run and check that the wasm run agrees.
const goldenSynthetic = "b3b67bffeb220f88"

func TestTrainDeterministic(t *testing.T) {
	texts, labels := synthetic(2000, 1)
	opt := Options{MaxTerms: 60, C: 5}
	var hashes []string
	for _, workers := range []int{1, 2, 5} {
		opt.Workers = workers
		m, res, err := Train(context.Background(), texts, labels, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged || res.Terms != 60 {
			t.Errorf("workers %d: %+v", workers, res)
		}
		hashes = append(hashes, hashModel(m))
	}
	if hashes[0] != hashes[1] || hashes[0] != hashes[2] {
		t.Errorf("weights depend on the number of workers: %v", hashes)
	}
	if hashes[0] != goldenSynthetic {
		t.Errorf("weights hash %s, want %s", hashes[0], goldenSynthetic)
	}
}

func TestTrainLearnsSynthetic(t *testing.T) {
	texts, labels := synthetic(3000, 1)
	m, _, err := Train(context.Background(), texts[:2000], labels[:2000], Options{MaxTerms: 1000, C: 1})
	if err != nil {
		t.Fatal(err)
	}
	// About 8% of the toy reviews hold one word of each side, a coin toss
	// for any model, so the ceiling is near 96%.
	right := 0
	logits := m.Logits(texts[2000:])
	for i, z := range logits {
		if (z > 0) == (labels[2000+i] == 1) {
			right++
		}
	}
	if acc := float64(right) / 1000; acc < 0.92 {
		t.Errorf("held-out accuracy %.3f, want ≥ 0.92 on the toy language", acc)
	}
	// It learned the words and the negation bigram.
	w := func(term string) float32 {
		for j, s := range m.Terms {
			if s == term {
				return m.Weights[j]
			}
		}
		t.Fatalf("%q not in the vocabulary", term)
		return 0
	}
	if !(w("superb") > 1 && w("worst") < -1 && w("not great") < 0 && math.Abs(float64(w("plot"))) < 0.5) {
		t.Errorf("weights: superb %v, worst %v, not great %v, plot %v", w("superb"), w("worst"), w("not great"), w("plot"))
	}
	pos, neg := m.TopWeights(5)
	if len(pos) != 5 || len(neg) != 5 || pos[0].Weight < pos[4].Weight || neg[0].Weight > neg[4].Weight {
		t.Errorf("top weights %v %v", pos, neg)
	}
}

func TestExplain(t *testing.T) {
	texts, labels := synthetic(2000, 2)
	m, _, err := Train(context.Background(), texts, labels, Options{MaxTerms: 200})
	if err != nil {
		t.Fatal(err)
	}
	review := "The plot was boring, not great; the actor was superb."
	e := m.Explain(review)
	sum := float64(e.Bias)
	for k, c := range e.Terms {
		sum += c.Logit
		if k > 0 && math.Abs(c.Logit) > math.Abs(e.Terms[k-1].Logit) {
			t.Errorf("terms not ordered by |contribution|: %v", e.Terms)
		}
	}
	if math.Abs(sum-e.Logit) > 1e-12 || e.Logit != m.Logit(review) {
		t.Errorf("bias + contributions = %v, logit %v, Logit() %v", sum, e.Logit, m.Logit(review))
	}
	if math.Abs(e.Positive-1/(1+math.Exp(-e.Logit))) > 1e-15 {
		t.Errorf("positive %v for logit %v", e.Positive, e.Logit)
	}
	pos, neg := e.Top(2)
	if len(pos) == 0 || pos[0].Term != "superb" || len(neg) == 0 || neg[0].Term != "boring" {
		t.Errorf("top: %v / %v", pos, neg)
	}
}

func TestTrainRefuses(t *testing.T) {
	ctx := context.Background()
	texts, labels := synthetic(10, 1)
	for _, c := range []struct {
		name   string
		labels []int
		opt    Options
	}{
		{"labels", labels[:9], Options{}},
		{"label 2", append(append([]int{}, labels[:9]...), 2), Options{}},
		{"C", labels, Options{C: -1}},
		{"terms", labels, Options{MaxTerms: MaxTerms + 1}},
		{"ngrams", labels, Options{Config: Config{Tokens: TokensSklearn, NGramMin: 1, NGramMax: 3}}},
	} {
		if _, _, err := Train(ctx, texts, c.labels, c.opt); err == nil {
			t.Errorf("%s: Train accepted it", c.name)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := Train(cctx, texts, labels, Options{}); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}

func TestTuneC(t *testing.T) {
	texts, labels := synthetic(2000, 3)
	pts, best, err := TuneC(context.Background(), texts, labels, Options{MaxTerms: 200}, []float64{10, 0.001, 1}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 3 || pts[0].C != 0.001 || pts[2].C != 10 {
		t.Fatalf("points %+v", pts)
	}
	// C = 0.001 shrinks the weights to almost nothing: near chance.
	if pts[0].ValAccuracy > pts[2].ValAccuracy || best == 0.001 {
		t.Errorf("points %+v, best %v", pts, best)
	}
}
