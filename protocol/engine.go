package protocol

// Request types (the envelope's "type"). The engine runs them one at a
// time in arrival order, except Cancel, Presets and Variants, which are
// answered at once, even during a training run.
const (
	TypeLoadData    = "loadData"      // LoadDataRequest + buffer (a CSV, .csv.gz or aclImdb .tar.gz) → LoadDataResult; progress ReadProgress, FetchProgress
	TypeEDA         = "eda"           // no payload → EDAReport; progress CountProgress ("clean", "eda")
	TypeTrain       = "train"         // TrainRequest → TrainResult; progress TrainProgress per batch, EpochProgress per epoch
	TypePresets     = "presets"       // no payload → PresetsResult
	TypeCancel      = "cancel"        // CancelRequest → CancelResult; the canceled request ends with Error{"canceled"}
	TypeEvaluate    = "evaluate"      // EvaluateRequest → Evaluation (Metrics' keys and more)
	TypePredict     = "predict"       // PredictRequest → PredictResult
	TypeVariants    = "variants"      // no payload → VariantsResult
	TypeInspect     = "inspect"       // VariantRequest → InspectResult
	TypeExportModel = "exportModel"   // VariantRequest → ExportResult + buffer (the model file)
	TypeExportONNX  = "exportONNX"    // VariantRequest → ExportONNXResult + buffer (the .onnx file, as `lab export` writes it)
	TypeImportModel = "importModel"   // ImportRequest + buffer (or url) → VariantInfo
	TypeDelete      = "deleteVariant" // VariantRequest → DeleteResult; an unknown name is an error
	TypeCompress    = "compress"      // CompressRequest → CompressResult; progress as train
	TypeShardInit   = "shardInit"     // ShardInitRequest + buffer (weights) → ShardInitResult (leader → helper)
	TypeShardStep   = "shardStep"     // ShardStepRequest + buffer (summed gradient to apply, then the rows' tokens and labels) → ShardStepResult + buffer (gradient, if rows)
	TypeShardLogits = "shardLogits"   // ShardLogitsRequest + buffer (rows' tokens and labels) → ShardLogitsResult + buffer (their logits, float32)
	TypeScoreRows   = "scoreRows"     // ScoreRowsRequest + buffer (model file, then rows' tokens) → ShardLogitsResult + buffer (their logits, float32)
)

// Reply types.
const (
	ReplyProgress = "progress"
	ReplyResult   = "result"
	ReplyError    = "error"
	ReplyReady    = "ready"
)

// Progress phases (the "phase" key of every progress payload).
const (
	PhaseFetch    = "fetch"
	PhaseRead     = "read"
	PhaseClean    = "clean"
	PhaseEDA      = "eda"
	PhaseTokenize = "tokenize"
	PhaseTrain    = "train"
	PhaseEpoch    = "epoch"
	PhaseEvaluate = "evaluate"
)

// Canceled is the message of the error reply of a canceled request.
const Canceled = "canceled"

// Ready is posted once when the engine has started.
type Ready struct {
	Version string `json:"version"`
	Kernel  string `json:"kernel"` // the matmul kernel: "simd128", or "portable" without WebAssembly SIMD
	// Relaxed says the browser runs relaxed SIMD, so the int8 runtime's
	// Act7 opt-in (PredictRequest.Act7) is its fast path here.
	Relaxed bool `json:"relaxed,omitempty"`
}

// Error is the payload of an error reply.
type Error struct {
	Message string `json:"message"`
}

// ---- loadData

type LoadDataRequest struct {
	Name  string `json:"name"`  // the file name (its extension picks the reader)
	URL   string `json:"url"`   // fetch the data from here when no buffer is sent
	Limit int    `json:"limit"` // keep the first N reviews; 0 = all
	// The reader's limits, sized by the page to the tab; 0 keeps the
	// reader's default, -1 lifts a limit (see core/data.Options).
	MaxBytes       int64   `json:"maxBytes,omitempty"`
	MaxTextBytes   int64   `json:"maxTextBytes,omitempty"`
	MaxRows        int     `json:"maxRows,omitempty"`
	MaxReviewBytes int64   `json:"maxReviewBytes,omitempty"`
	MaxRatio       float64 `json:"maxRatio,omitempty"`
}

type LoadDataResult struct {
	Name     string `json:"name"`
	Rows     int    `json:"rows"`
	Positive int    `json:"positive"`
	Negative int    `json:"negative"`
	Hash     string `json:"hash"`
	// Duplicates and what is wrong with the data, for the page to show.
	Hygiene  Hygiene  `json:"hygiene"`
	Warnings []string `json:"warnings,omitempty"`
}

// Hygiene counts a dataset's classes and duplicates (core/data.Hygiene).
type Hygiene struct {
	Reviews  int `json:"reviews"`
	Positive int `json:"positive"`
	Negative int `json:"negative"`
	// DuplicateReviews counts reviews whose text equals an earlier one's;
	// DuplicateTexts the distinct texts that occur more than once.
	DuplicateReviews int `json:"duplicate_reviews"`
	DuplicateTexts   int `json:"duplicate_texts"`
	// ContradictoryTexts counts texts that occur with both labels.
	ContradictoryTexts int `json:"contradictory_texts"`
}

// FetchProgress: the engine is fetching URL.
type FetchProgress struct {
	Phase string `json:"phase"` // PhaseFetch
	URL   string `json:"url"`
}

// ReadProgress: Bytes of Total read.
type ReadProgress struct {
	Phase string `json:"phase"` // PhaseRead
	Bytes int64  `json:"bytes"`
	Total int    `json:"total"`
}

// CountProgress: Done of Total items of a phase (clean, eda, evaluate).
type CountProgress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// TokenizeProgress: the split is made, the tokenizer is being fitted.
type TokenizeProgress struct {
	Phase     string `json:"phase"` // PhaseTokenize
	TrainRows int    `json:"train_rows"`
	TestRows  int    `json:"test_rows"`
}

// TrainProgress is reported after every training batch.
type TrainProgress struct {
	Phase          string  `json:"phase"` // PhaseTrain
	Epoch          int     `json:"epoch"` // 1-based
	Epochs         int     `json:"epochs"`
	Batch          int     `json:"batch"` // 1-based, within the epoch
	Batches        int     `json:"batches"`
	Done           int     `json:"done"` // examples trained so far / planned
	Total          int     `json:"total"`
	Loss           float64 `json:"loss"` // running means over the epoch
	Accuracy       float64 `json:"accuracy"`
	BatchLoss      float64 `json:"batch_loss"`
	ExamplesPerSec float64 `json:"examples_per_sec"`
	ETASec         float64 `json:"eta_sec"`
}

// EpochProgress is reported after every epoch with the history so far.
type EpochProgress struct {
	Phase   string  `json:"phase"` // PhaseEpoch
	History []Epoch `json:"history"`
}

// Progress is every progress payload's keys in one struct, for a reader
// that switches on Phase (the page). The engine sends the per-phase types.
type Progress struct {
	Phase          string  `json:"phase"`
	URL            string  `json:"url"`
	Bytes          int64   `json:"bytes"`
	Epoch          int     `json:"epoch"`
	Epochs         int     `json:"epochs"`
	Batch          int     `json:"batch"`
	Batches        int     `json:"batches"`
	Done           int     `json:"done"`
	Total          int     `json:"total"`
	Loss           float64 `json:"loss"`
	Accuracy       float64 `json:"accuracy"`
	BatchLoss      float64 `json:"batch_loss"`
	ExamplesPerSec float64 `json:"examples_per_sec"`
	ETASec         float64 `json:"eta_sec"`
	History        []Epoch `json:"history"`
	TrainRows      int     `json:"train_rows"`
	TestRows       int     `json:"test_rows"`
}

// ---- train and presets

// ModelConfig is the model's shape (core/nn.Config's JSON).
type ModelConfig struct {
	Vocab   int     `json:"vocab"`   // tokenizer num_words: padding and OOV included
	Embed   int     `json:"embed"`   // embedding width
	Hidden  int     `json:"hidden"`  // LSTM units
	MaxLen  int     `json:"max_len"` // steps after padding and truncation
	Padding string  `json:"padding"` // "post" or "pre"
	Masking bool    `json:"masking"` // skip padded steps
	Dropout float64 `json:"dropout"` // before the dense layer
}

// TrainRequest is a preset with overrides. A zero number (or an absent
// pointer) keeps the preset's value; the pointers are the fields whose zero
// is a value (no validation split, all the data, no masking, no dropout,
// no early stopping).
type TrainRequest struct {
	Preset     string   `json:"preset"` // thesis, fast or classroom (default classroom)
	Name       string   `json:"name"`   // the variant's name (default "base")
	Epochs     int      `json:"epochs"`
	BatchSize  int      `json:"batch_size"`
	LR         float64  `json:"lr"`
	ValSplit   *float64 `json:"val_split,omitempty"`
	Seed       uint64   `json:"seed"` // 0 = 42
	TrainLimit *int     `json:"train_limit,omitempty"`
	// SplitRule overrides the preset's split: "grouped" (exact duplicate
	// reviews on one side) or "permutation" (the thesis's); "" = the preset's.
	SplitRule string   `json:"split_rule,omitempty"`
	TestFrac  float64  `json:"test_frac"`
	Vocab     int      `json:"vocab"`
	Embed     int      `json:"embed"`
	Hidden    int      `json:"hidden"`
	MaxLen    int      `json:"max_len"`
	Padding   string   `json:"padding,omitempty"`
	Masking   *bool    `json:"masking,omitempty"`
	Dropout   *float64 `json:"dropout,omitempty"`
	Patience  *int     `json:"patience,omitempty"`
	// Workers is the number of Web Workers computing each batch's
	// gradient: this engine and Workers−1 helpers. 0 or 1 = this one.
	Workers int `json:"workers"`
	// MaxBatches stops each epoch after this many batches (0 = all): for
	// benchmarks at the full model shape without a full epoch.
	MaxBatches int `json:"max_batches,omitempty"`
	// Kernels pins the matmul kernels: "portable" (the plain Go loops every
	// build has, bit-identical everywhere) or "" for the build's fastest.
	Kernels string `json:"kernels,omitempty"`
}

// Epoch is one row of a training history (Keras's History.history).
type Epoch struct {
	Epoch       int     `json:"epoch"`
	Loss        float64 `json:"loss"`
	Accuracy    float64 `json:"accuracy"`
	ValLoss     float64 `json:"val_loss,omitempty"`
	ValAccuracy float64 `json:"val_accuracy,omitempty"`
	Seconds     float64 `json:"seconds"`
}

// FitResult is what one fit did.
type FitResult struct {
	History        []Epoch `json:"history"`
	BestEpoch      int     `json:"best_epoch,omitempty"` // with early stopping: the restored weights' epoch
	Seconds        float64 `json:"train_seconds"`
	ExamplesPerSec float64 `json:"examples_per_second"`
}

// ClassReport is one row of scikit-learn's classification_report.
type ClassReport struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// Metrics is an evaluation: loss, accuracy, the confusion matrix
// ([true class][predicted class], 0 = negative) and the classification
// report (classes "negative" and "positive").
type Metrics struct {
	N         int                    `json:"n"`
	Loss      float64                `json:"loss"`
	Accuracy  float64                `json:"accuracy"`
	Confusion [2][2]int              `json:"confusion"`
	Classes   map[string]ClassReport `json:"classes"`
	Macro     ClassReport            `json:"macro_avg"`
	Weighted  ClassReport            `json:"weighted_avg"`
}

type TrainResult struct {
	Variant   string       `json:"variant"`
	History   []Epoch      `json:"history"`
	BestEpoch int          `json:"best_epoch,omitempty"` // early stopping restored this epoch's weights
	Test      *Metrics     `json:"test"`
	Seconds   float64      `json:"seconds"`
	EPS       float64      `json:"examples_per_sec"`
	Params    int          `json:"params"`
	Train     int          `json:"train_rows"`
	Config    ModelConfig  `json:"config"`
	Info      *VariantInfo `json:"info"`
	// TestEval is Test split by what the model trained on: the thesis's
	// permutation split leaks repeated reviews into its test set.
	TestEval *Evaluation `json:"test_eval,omitempty"`
}

// Preset is a preset flattened for the page's form.
type Preset struct {
	Name       string  `json:"name"`
	About      string  `json:"about"`
	Epochs     int     `json:"epochs"`
	BatchSize  int     `json:"batch_size"`
	LR         float64 `json:"lr"`
	ValSplit   float64 `json:"val_split"`
	TestFrac   float64 `json:"test_frac"`
	TrainLimit int     `json:"train_limit"`
	Patience   int     `json:"patience"`
	SplitRule  string  `json:"split_rule"` // "grouped" (exact duplicates on one side) or "permutation" (the thesis's)
	ModelConfig
}

type PresetsResult struct {
	Presets []Preset `json:"presets"`
	Kernel  string   `json:"kernel"`
	Relaxed bool     `json:"relaxed,omitempty"` // as Ready.Relaxed
}

// ---- cancel

type CancelRequest struct {
	Target float64 `json:"target"` // the id of the request to cancel
}

// CancelResult names the canceled request, or is null if none was running.
type CancelResult struct {
	Canceled *float64 `json:"canceled"`
}

// ---- models

// VariantRequest names a model in the engine (inspect, exportModel).
type VariantRequest struct {
	Variant string `json:"variant"`
}

// VariantInfo is what the Compare step shows of a model.
type VariantInfo struct {
	Name      string      `json:"name"`
	Kind      string      `json:"kind"` // "trained", "imported", or the compression chain that made it ("prune+int8")
	Preset    string      `json:"preset,omitempty"`
	Config    ModelConfig `json:"config"`
	Params    int         `json:"params"`
	NonZero   int         `json:"nonzero"`
	FileBytes int64       `json:"file_bytes"`
	Metrics   *Metrics    `json:"metrics,omitempty"`
	History   []Epoch     `json:"history,omitempty"`
	Storage   string      `json:"storage"` // f32, f16 or int8
	Sparse    bool        `json:"sparse"`  // zeros stored as a bit mask
	Runtime   string      `json:"runtime"` // "float32", or "int8": int8 products
	// MetricsData says which reviews Metrics were scored on ("the test
	// split (seed 42, 20%, grouped rule) of 5,000 reviews", or the file's
	// recorded score). Evaluate never replaces Metrics: its latest result
	// is Evaluation.
	MetricsData string      `json:"metrics_data,omitempty"`
	Evaluation  *Evaluation `json:"evaluation,omitempty"`
	// Fingerprints is how many training reviews the model recognises by
	// their fingerprints (0: none recorded), FingerprintBytes what they
	// add to FileBytes.
	Fingerprints     int   `json:"fingerprints,omitempty"`
	FingerprintBytes int64 `json:"fingerprint_bytes,omitempty"`
	// ModelKind is ModelKindTFIDF for the baseline ("" for an LSTM: Config,
	// History and the tensors are an LSTM's). OOD is its latest score on
	// the second dataset (baseline.go).
	ModelKind string         `json:"model_kind,omitempty"`
	OOD       *OODEvaluation `json:"ood,omitempty"`
}

type VariantsResult struct {
	Variants []*VariantInfo `json:"variants"`
}

type EvaluateRequest struct {
	Variant  string  `json:"variant"`
	Seed     uint64  `json:"seed"`      // of the split; 0 = the variant's
	TestFrac float64 `json:"test_frac"` // 0 = the variant's
	// Workers scores a large test split (≥ SharedEvalRows) in this many
	// Web Workers, this engine and helpers (scoreRows); 0 or 1: alone.
	// The logits are the same bits either way.
	Workers int `json:"workers,omitempty"`
	// Act7 runs an int8 model with its hidden state quantized to 7 bits
	// (core/compress/act7.go), the opt-in relaxed SIMD runs fast; float
	// models ignore it. The reply says whether it applied (Evaluation.Act7).
	Act7 bool `json:"act7,omitempty"`
}

// SharedEvalRows is the smallest test split an evaluate shares with
// helpers: below it, starting a helper and sending it the model costs
// more than it saves.
const SharedEvalRows = 2048

type PredictRequest struct {
	Text     string   `json:"text"`
	Variants []string `json:"variants"`       // none = every model
	Explain  bool     `json:"explain"`        // also each word's effect
	Act7     bool     `json:"act7,omitempty"` // int8 models with a 7-bit hidden state (EvaluateRequest.Act7)
}

type WordEffect struct {
	Word  string  `json:"word"`
	Delta float64 `json:"delta"` // probability with the word minus without it
}

type Prediction struct {
	Variant     string       `json:"variant"`
	Probability float64      `json:"probability"`
	Label       string       `json:"label"`
	MS          float64      `json:"ms"`
	Words       []WordEffect `json:"words,omitempty"`
	Act7        bool         `json:"act7,omitempty"` // scored with an int8 model's 7-bit hidden state
}

type PredictResult struct {
	Cleaned string       `json:"cleaned"`
	Results []Prediction `json:"results"`
}

// TensorInfo is one weight tensor's sparsity and histogram.
type TensorInfo struct {
	Name   string    `json:"name"`
	Shape  []int     `json:"shape"`
	Count  int       `json:"count"`
	Zeros  int       `json:"zeros"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Edges  []float64 `json:"edges"`
	Counts []int     `json:"counts"`
	// Distinct counts the distinct values the model's file stores for the
	// tensor (capped at 1,000): an int8 weight matrix's codes over the
	// whole tensor, at most 255 whatever its scale groups; a float32 one
	// has nearly one per weight.
	Distinct int `json:"distinct"`
}

type InspectResult struct {
	Variant string       `json:"variant"`
	Tensors []TensorInfo `json:"tensors"`
}

type ExportResult struct {
	Name     string `json:"name"`
	Filename string `json:"filename"`
	Size     int    `json:"size"`
}

// ExportONNXResult describes the ONNX file in the buffer: Weights is
// "int8" when the variant's file stores int8 weights (kept int8 in the
// graph), else "float32".
type ExportONNXResult struct {
	Name     string `json:"name"`
	Filename string `json:"filename"`
	Size     int    `json:"size"`
	Weights  string `json:"weights"`
}

// DeleteResult names the model the engine no longer holds, and the ones
// it still does.
type DeleteResult struct {
	Deleted string   `json:"deleted"`
	Left    []string `json:"left"`
}

type ImportRequest struct {
	Name   string `json:"name"`
	URL    string `json:"url"`    // fetch the file (a pre-trained model) instead of buffer
	SHA256 string `json:"sha256"` // if set, the bytes must hash to it (the manifest's)
}

// ---- compress

// CompressRequest makes a new variant from an existing one with a chain
// of compression methods (core/lab: "int8", "prune,int8", ...). Zero
// values take core/lab's defaults.
type CompressRequest struct {
	Variant string `json:"variant"` // the source model
	Method  string `json:"method"`  // one method or a comma-separated chain
	Name    string `json:"name"`    // default: lab.VariantName(source, chain)
	// prune
	InitialSparsity float64 `json:"initial_sparsity"`
	FinalSparsity   float64 `json:"final_sparsity"`
	// prune-units: the LSTM units kept (default half)
	KeepUnits int `json:"keep_units,omitempty"`
	// fine-tuning (prune, prune-units, distill)
	Epochs int `json:"epochs"`
	// distill
	Alpha  float64 `json:"alpha"`
	T      float64 `json:"t"`
	Embed  int     `json:"embed"`  // student; default half the teacher's
	Hidden int     `json:"hidden"` // student; default half the teacher's
	Thesis bool    `json:"thesis"` // the thesis's zero distillation term
	// selective: the weight matrices kept in float32 (none = the most sensitive)
	KeepFloat []string `json:"keep_float,omitempty"`
	// Kernels pins the fine-tuning's and scoring's matmul kernels, as
	// TrainRequest's ("portable": the same bits everywhere; "": the fastest).
	Kernels string `json:"kernels,omitempty"`
}

// TensorSparsity is one tensor's (or the whole model's: "total") zeros.
type TensorSparsity struct {
	Name     string  `json:"name"`
	Total    int     `json:"total"`
	NonZero  int     `json:"nonzero"`
	Sparsity float64 `json:"sparsity"`
}

type CompressResult struct {
	Info   *VariantInfo     `json:"info"`
	Fit    *FitResult       `json:"fit,omitempty"`
	Sparse []TensorSparsity `json:"sparsity,omitempty"`
}

// ---- data-parallel training (leader → helper engines)

// ShardInitRequest sends a helper the initial weights (in buffer: every
// weight float32, little-endian); the training set stays with the leader,
// which sends each step's rows with the step.
type ShardInitRequest struct {
	Config ModelConfig `json:"config"`
	N      int         `json:"n"`     // rows in the set
	Chunk  int         `json:"chunk"` // examples per gradient chunk
	Seed   uint64      `json:"seed"`
	LR     float64     `json:"lr"`
	// Kernels are the leader's matmul kernels ("portable", or "" for the
	// build's fastest): every part must be computed with the same ones.
	Kernels string `json:"kernels,omitempty"`
}

type ShardInitResult struct {
	Rows int `json:"rows"`
}

// ShardStepRequest asks a helper for the gradient of its part of a batch.
type ShardStepRequest struct {
	Step      int     `json:"step"`
	Rows      []int   `json:"rows"`       // the helper's rows of the batch
	ChunkBase int     `json:"chunk_base"` // the batch-wide index of its first chunk
	Scale     float32 `json:"scale"`      // 1 / batch size
	// Update: the buffer starts with a summed gradient, to apply (Adam)
	// before computing; it ends with the rows' token ids (int32) then
	// labels (float32), little-endian. WeightsHash, if set, is the leader's
	// weights' hash after that update; the helper's must match.
	Update      bool   `json:"update"`
	WeightsHash string `json:"weights_hash,omitempty"`
	// Own (with Update, and nothing else in the buffer): the update is the
	// leader's own part of the step, not the sum. The helper adds the part
	// it sent last (none if it had no rows) to it, as the leader adds that
	// part to its own, and applies the sum. A leader with one helper sends
	// its part as soon as it is computed, so neither waits for the other's
	// sum (wasm/engine/shard.go).
	Own bool `json:"own,omitempty"`
}

// ShardLogitsRequest asks a helper for the logits of N validation rows
// (the buffer: their token ids, int32, then labels, float32,
// little-endian), with the weights of its last update, scored in chunks
// of these sizes (summing to N): the leader's cut, whose bits they give.
type ShardLogitsRequest struct {
	N      int   `json:"n"`
	Chunks []int `json:"chunks"`
}

// ScoreRowsRequest asks a helper for the logits of N rows (the buffer:
// Model's file, FileBytes long, then the rows' token ids, int32
// little-endian) scored in chunks of these sizes (summing to N), the
// leader's cut, whose bits they give. FileBytes 0: the model is the one
// the helper was last sent under that Model key.
type ScoreRowsRequest struct {
	Model     string `json:"model"`
	FileBytes int    `json:"file_bytes"`
	N         int    `json:"n"`
	Chunks    []int  `json:"chunks"`
	Act7      bool   `json:"act7,omitempty"` // EvaluateRequest.Act7
}

// ShardLogitsResult comes with the N logits, little-endian float32, in the
// rows' order.
type ShardLogitsResult struct {
	N int `json:"n"`
}

type ShardStepResult struct {
	Loss  float64 `json:"loss"`
	Right int     `json:"right"`
}
