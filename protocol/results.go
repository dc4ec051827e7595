package protocol

// ResultRow is one variant in the results table (`lab report --json`).
type ResultRow struct {
	Name           string     `json:"name"`
	Method         string     `json:"method"`
	Runtime        string     `json:"runtime"` // float32 or int8 (dynamic-range)
	TestAccuracy   float64    `json:"test_accuracy"`
	AccuracyChange float64    `json:"accuracy_change"` // vs the base, in accuracy units (0.01 = 1 point)
	TestLoss       float64    `json:"test_loss"`
	FileBytes      int64      `json:"file_bytes"`
	GzipBytes      int64      `json:"gzip_bytes"`
	Params         int        `json:"params"`
	NonZero        int        `json:"nonzero"`
	Seconds        float64    `json:"seconds"` // to produce it: the base's training, or the sum of the compression steps
	ReviewsPerSec  float64    `json:"reviews_per_second"`
	WasmPerSec     float64    `json:"wasm_reviews_per_second,omitempty"`
	Thesis         *ThesisRow `json:"thesis,omitempty"`
	// TestEval is the test score split by the model's training reviews.
	TestEval *Evaluation `json:"test_eval,omitempty"`
	// Kind is the model file's kind: empty for an LSTM, "tfidf-logreg"
	// for the TF-IDF baseline (whose params are its n-grams and the bias).
	Kind string `json:"kind,omitempty"`
	// Out of domain (lab report --data-ood): every review of a second
	// dataset, OODData its file name; OODN is 0 when not measured.
	OODAccuracy float64 `json:"ood_accuracy,omitempty"`
	OODLoss     float64 `json:"ood_loss,omitempty"`
	OODN        int     `json:"ood_n,omitempty"`
	OODData     string  `json:"ood_data,omitempty"`
}

// TrainOutput is `lab train --json`; `lab manifest --train-json` reads it.
type TrainOutput struct {
	Preset         string      `json:"preset"`
	Config         ModelConfig `json:"config"`
	Params         int         `json:"params"`
	TrainN         int         `json:"train_n"`
	TestN          int         `json:"test_n"`
	TestAccuracy   float64     `json:"test_accuracy"`
	TestLoss       float64     `json:"test_loss"`
	Test           *Metrics    `json:"test"`
	History        []Epoch     `json:"history"`
	BestEpoch      int         `json:"best_epoch,omitempty"`
	PrepSeconds    float64     `json:"prep_seconds"`
	TrainSeconds   float64     `json:"train_seconds"`
	EvalSeconds    float64     `json:"eval_seconds"`
	ExamplesPerSec float64     `json:"examples_per_second"`
	Workers        int         `json:"workers"`
	Kernels        string      `json:"kernels"`
	Model          string      `json:"model,omitempty"`
	TestEval       *Evaluation `json:"test_eval,omitempty"` // Test split by what the model trained on
}
