package protocol

// TypeExplain asks how one or two models read a review: ExplainRequest →
// ExplainResult (core/explain).
const TypeExplain = "explain"

type ExplainRequest struct {
	Text     string   `json:"text"`
	Variants []string `json:"variants"` // one or two models, read side by side
	IGSteps  int      `json:"ig_steps"` // first trapezoid grid; 0 = core/explain's default (64)
	// Act7: an int8 model's Prediction with its 7-bit hidden state
	// (PredictRequest.Act7), as Try's table scored it.
	Act7 bool `json:"act7,omitempty"`
}

// Reading is one model's reading of the review, one entry per step it ran
// (a masked model skips padding; an unmasked one reads it as "(pad)" steps).
type Reading struct {
	Variant string `json:"variant"`
	// Weights says what was explained: "float32", or for an int8 variant
	// its dequantized float32 weights (the int8 runtime exposes no
	// per-step states); Prediction is then the int8 runtime's own.
	Weights   string    `json:"weights"`
	Words     []string  `json:"words"`
	Positions []int     `json:"positions"` // each step's position in the padded row of max_len
	Sentiment []float32 `json:"sentiment"` // σ(w·h_t + b) after each step
	Input     []float32 `json:"input"`     // mean input gate i_t over the units
	Forget    []float32 `json:"forget"`    // mean forget gate f_t
	Candidate []float32 `json:"candidate"` // mean candidate c̃_t = g_t
	Output    []float32 `json:"output"`    // mean output gate o_t
	Cell      []float32 `json:"cell"`      // [steps, hidden] cell state c_t, row-major
	Steps     int       `json:"steps"`
	Hidden    int       `json:"hidden"`
	MaxLen    int       `json:"max_len"`
	Padding   string    `json:"padding"` // "post" or "pre": which side of the row the words are on
	Cut       int       `json:"cut"`     // words beyond max_len, not read
	// Probability is σ(logit) of the explained weights, the last step's
	// running sentiment; Prediction what the model's runtime predicts.
	Logit       float32 `json:"logit"`
	Probability float32 `json:"probability"`
	Prediction  float64 `json:"prediction"`
	// Attribution is integrated gradients per step; Σ = IGLogit −
	// BaselineLogit up to the quadrature error (Completeness, relative).
	Attribution   []float32 `json:"attribution"`
	IGLogit       float32   `json:"ig_logit"`
	BaselineLogit float32   `json:"baseline_logit"`
	Completeness  float64   `json:"completeness"`
	IGSteps       int       `json:"ig_steps"`
	IGPoints      int       `json:"ig_points"`
	MS            float64   `json:"ms"`
}

type ExplainResult struct {
	Cleaned  string    `json:"cleaned"`
	Method   string    `json:"method"`
	Formula  string    `json:"formula"`
	Readings []Reading `json:"readings"`
}
