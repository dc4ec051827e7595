package protocol

// The baseline lesson and the second dataset (issue 13): a TF-IDF logistic
// regression trained in the engine on the loaded data's split, a second
// dataset loaded beside the first, and every variant scored on it.
const (
	TypeTrainBaseline   = "trainBaseline"   // TrainBaselineRequest → TrainBaselineResult; progress BaselineProgress
	TypeExplainBaseline = "explainBaseline" // BaselineExplainRequest → BaselineExplainResult
	TypeLoadOOD         = "loadOOD"         // LoadDataRequest + buffer (or url) → LoadDataResult; progress as loadData
	TypeEvaluateOOD     = "evaluateOOD"     // VariantRequest → OODEvaluation; progress CountProgress ("evaluate")
)

// PhaseBaseline is BaselineProgress's phase.
const PhaseBaseline = "baseline"

// ModelKindTFIDF is VariantInfo.ModelKind of a TF-IDF logistic regression
// (the model file's config kind); "" is an LSTM.
const ModelKindTFIDF = "tfidf-logreg"

// TrainBaselineRequest trains the TF-IDF baseline on the loaded data's
// training split: the split of `lab baseline` (permutation rule, seed 42,
// 20% test) unless set. Zero numbers take core/baseline's defaults.
type TrainBaselineRequest struct {
	Name       string  `json:"name"`                  // the variant's name (default "baseline")
	Seed       uint64  `json:"seed"`                  // 0 = 42
	TestFrac   float64 `json:"test_frac"`             // 0 = 0.2
	TrainLimit int     `json:"train_limit,omitempty"` // the first N training reviews (0 = all), as `lab baseline --train-size`
	SplitRule  string  `json:"split_rule,omitempty"`  // "permutation" (default, `lab baseline`'s) or "grouped"
	C          float64 `json:"c,omitempty"`           // inverse L2 strength (default 30)
	MaxTerms   int     `json:"max_terms,omitempty"`   // vocabulary size (default 200,000)
}

// BaselineProgress is core/baseline's progress: Stage "vocabulary",
// "features" or "fit" (L-BFGS iterations done of Total, and the loss).
type BaselineProgress struct {
	Phase string  `json:"phase"` // PhaseBaseline
	Stage string  `json:"stage"`
	Done  int     `json:"done"`
	Total int     `json:"total"`
	Loss  float64 `json:"loss,omitempty"`
}

// TermWeight is an n-gram of the baseline's vocabulary and its weight.
type TermWeight struct {
	Term   string  `json:"term"`
	Weight float32 `json:"weight"`
}

// TrainBaselineResult is a trained baseline: its test metrics on the
// split's test reviews, the seconds of each stage and the n-grams with the
// largest weights each way.
type TrainBaselineResult struct {
	Variant         string       `json:"variant"`
	Info            *VariantInfo `json:"info"`
	Test            *Metrics     `json:"test"`
	TrainRows       int          `json:"train_rows"`
	Terms           int          `json:"terms"`
	Iterations      int          `json:"iterations"`
	Seconds         float64      `json:"seconds"` // vocabulary, features and fit
	VocabSeconds    float64      `json:"vocab_seconds"`
	FeaturesSeconds float64      `json:"features_seconds"`
	FitSeconds      float64      `json:"fit_seconds"`
	EvalSeconds     float64      `json:"eval_seconds"`
	ReviewsPerSec   float64      `json:"reviews_per_sec"` // scoring the test reviews
	TopPositive     []TermWeight `json:"top_positive"`
	TopNegative     []TermWeight `json:"top_negative"`
}

// BaselineExplainRequest asks a baseline variant which n-grams of a review moved
// its logit most (K each way, default 8).
type BaselineExplainRequest struct {
	Variant string `json:"variant"`
	Text    string `json:"text"`
	K       int    `json:"k,omitempty"`
}

// Contribution is one n-gram's part of a review's logit: Value its TF-IDF
// in the review's row, Weight the model's, Logit = Weight·Value.
type Contribution struct {
	Term   string  `json:"term"`
	Value  float32 `json:"value"`
	Weight float32 `json:"weight"`
	Logit  float64 `json:"logit"`
}

// BaselineExplainResult is a review's logit taken apart: bias + Σ contributions.
type BaselineExplainResult struct {
	Variant     string         `json:"variant"`
	Logit       float64        `json:"logit"`
	Positive    float64        `json:"positive"` // σ(logit)
	Bias        float32        `json:"bias"`
	Terms       int            `json:"terms"` // n-grams of the review in the vocabulary
	TopPositive []Contribution `json:"top_positive"`
	TopNegative []Contribution `json:"top_negative"`
}

// OODEvaluation is a variant scored on every review of the second dataset
// (out of domain), with the time it took.
type OODEvaluation struct {
	*Metrics
	Data          string  `json:"data"` // "all 10,662 reviews of rt-polarity-10k.csv.gz"
	Seconds       float64 `json:"seconds"`
	ReviewsPerSec float64 `json:"reviews_per_sec"`
}
