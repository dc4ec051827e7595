// Package explain shows how the LSTM classifier reads one review: step by
// step, the word, the running sentiment σ(w·h_t + b) (the dense output applied
// to each hidden state), the mean activation of each gate (i, f, g = c̃, o),
// and the cell state c_t of every unit; and, per word, an attribution by
// integrated gradients on the embedding.
//
// The steps are exactly those prediction runs (nn.Workspace.Forward on the
// tokens train.Encode gives, batch 1): the model's padding side, max_len
// truncation and masking are honoured, so the last step's running sentiment
// is the model's prediction bit for bit. A masked model skips padding; an
// unmasked one reads it, and those steps are listed as "(pad)" because they
// change the output.
//
// Integrated gradients (Sundararajan et al., 2017): with the embedded review
// x (one E-vector per step) and the baseline x' = 0 (the zero embedding
// vector at every step),
//
//	IG_t = Σ_e (x_te − x'_te) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_te dα
//
// where F is the logit. The integral is the trapezoid rule: first on m
// equal intervals (α = k/m, default m = 64), then each interval is halved
// while adding its midpoint moves the trapezoid of dF/dα = x·∂F/∂x by more
// than its share of Tolerance·|F(x) − F(x')|. Completeness, Σ_t IG_t =
// F(x) − F(x'), is exactly that scalar integral, so it then holds within
// the quadrature error; Attribution.Completeness reports it. The masked
// shipped models need 2m+1 points; the unmasked thesis model, which can
// switch sharply somewhere on the path, up to ~450 (uniform m = 1024 was
// still 0.8% off). The cost is one forward and backward pass per point
// (at most MaxIGPoints), run in batches of copies of the review (each at
// most max_len steps).
//
// An int8 variant is explained through its dequantized float weights (the
// int8 runtime does not expose its per-step states): the caller says so.
package explain
