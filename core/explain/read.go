package explain

import (
	"fmt"

	"sentilab/core/kernels"
	"sentilab/core/nn"
)

// Gate indices into Reading.Gates, in Keras's order.
const (
	GateInput  = iota // i
	GateForget        // f
	GateCell          // g = c̃, the candidate cell value
	GateOutput        // o
)

// Reading is how the model read one review, one entry per step it ran.
type Reading struct {
	Words     []string     // the word read at each step (Pad for padding an unmasked model reads)
	Positions []int        // each step's position in the padded row
	Sentiment []float32    // σ(w·h_t + b) after each step
	Gates     [4][]float32 // mean activation over the units of i, f, g, o at each step
	Cell      []float32    // [steps, Hidden] cell state c_t
	Hidden    int
	Logit     float32 // the model's logit: w·h_T + b at the last step
	// Probability is σ(Logit), the model's prediction, computed as
	// prediction computes it.
	Probability float32
}

// Read runs m over one encoded review (batch 1, kernels.Default, as the
// engine's prediction does) and records every step.
func Read(m *nn.Model, in Input) (*Reading, error) {
	c := m.Cfg
	if len(in.Tokens) != c.MaxLen || len(in.Words) != c.MaxLen {
		return nil, fmt.Errorf("explain: %d tokens and %d words, want max_len %d of each", len(in.Tokens), len(in.Words), c.MaxLen)
	}
	H, G := c.Hidden, nn.Gates*c.Hidden
	ws := nn.NewWorkspace(c, kernels.Default())
	z := ws.Forward(m, in.Tokens, 1, nil)[0]
	ps := steps(c, in.Tokens)
	r := &Reading{Positions: ps, Hidden: H, Logit: z, Probability: kernels.Sigmoid(z)}
	r.Cell = make([]float32, len(ps)*H)
	copy(r.Cell, ws.C[:len(ps)*H]) // batch 1: row t is step t
	for t, p := range ps {
		w := in.Words[p]
		if in.Tokens[p] == 0 {
			w = Pad
		}
		r.Words = append(r.Words, w)
		// The same float32 operations, in the same order, as Forward's
		// dense layer, so the last step gives the logit bit for bit.
		s := m.DenseB[0]
		for j, h := range ws.Hs[t*H : (t+1)*H] {
			s += h * m.DenseW[j]
		}
		r.Sentiment = append(r.Sentiment, kernels.Sigmoid(s))
		a := ws.A[t*G : (t+1)*G]
		for g := range r.Gates {
			r.Gates[g] = append(r.Gates[g], mean(a[g*H:(g+1)*H]))
		}
	}
	return r, nil
}

func mean(xs []float32) float32 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return float32(s / float64(len(xs)))
}
