package protocol

// ManifestFile is the manifest's name in the model folder.
const ManifestFile = "manifest.json"

// Manifest is the model folder's manifest.json, written by `lab manifest`
// and served byte for byte at /api/models. The server checks name, file,
// bytes, sha256 and metrics of each model against the files; the rest is
// for the report pages and the page.
type Manifest struct {
	Models      []ManifestModel `json:"models"`
	DistillGrid *DistillGrid    `json:"distill_grid,omitempty"`
}

// ManifestModel is one model file of the folder.
type ManifestModel struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
	Variant string `json:"variant"` // the compression chain ("base", "prune+distill+int8")
	Runtime string `json:"runtime"` // float32 or int8 (dynamic-range)
	// Metrics are the file's metadata metrics (test_accuracy, test_loss,
	// test_n, train_seconds or seconds, base_test_accuracy, ...) plus
	// gzip_bytes, accuracy_change (vs the manifest's base) and, from a
	// report, reviews_per_second and wasm_reviews_per_second.
	Metrics       map[string]float64 `json:"metrics"`
	Provenance    Provenance         `json:"provenance"`
	Preset        string             `json:"preset,omitempty"`
	Config        ModelConfig        `json:"config,omitzero"` // an LSTM's; absent for the baseline
	Preprocessing string             `json:"preprocessing"`
	Params        int                `json:"params"`
	NonZero       int                `json:"nonzero"`
	Tensors       []ManifestTensor   `json:"tensors"`
	Pipeline      []PipelineStep     `json:"pipeline,omitempty"`   // the compression steps, oldest first
	History       []Epoch            `json:"history,omitempty"`    // training curves (base models)
	BestEpoch     int                `json:"best_epoch,omitempty"` // early stopping: the epoch whose weights the file holds
	Confusion     *[2][2]int         `json:"confusion,omitempty"`  // test set, [true class][predicted class]
	Thesis        *ThesisRow         `json:"thesis,omitempty"`     // the thesis's numbers for this method
	// Kind is empty for an LSTM and "tfidf-logreg" for the TF-IDF
	// baseline, which the engine cannot import (core/modelfile's kinds).
	Kind string `json:"kind,omitempty"`
	// OODData names the second dataset of the metrics ood_accuracy,
	// ood_loss and ood_n (a report's --data-ood, or lab baseline --ood).
	OODData string `json:"ood_data,omitempty"`
}

// Provenance records how a model was made (core/modelfile.Provenance).
type Provenance struct {
	Seed     uint64 `json:"seed"`
	DataHash string `json:"data_hash,omitempty"`
	Command  string `json:"command,omitempty"`
	Time     string `json:"time,omitempty"`
}

type ManifestTensor struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Bytes int    `json:"bytes"`
}

// PipelineStep is one compression step as a model file records it
// (metadata "pipeline"; core/compress.Step).
type PipelineStep struct {
	Method       string         `json:"method"`
	Params       map[string]any `json:"params,omitempty"`
	Seconds      float64        `json:"seconds"`
	TestAccuracy float64        `json:"test_accuracy"`
	NumParams    int            `json:"params_count"`
	NonZero      int            `json:"nonzero"`
	History      []Epoch        `json:"history,omitempty"`
	BestEpoch    int            `json:"best_epoch,omitempty"`
}

// ThesisRow is the thesis's result for a method, as text, shown as written.
type ThesisRow struct {
	Accuracy string `json:"test_accuracy"`
	Size     string `json:"size"`
	Params   string `json:"params"`
}

// DistillGrid is a distillation α×T grid search (lab compress --grid).
type DistillGrid struct {
	Source       string       `json:"source"`
	Teacher      *GridTeacher `json:"teacher,omitempty"`
	Alphas       []float64    `json:"alphas"`
	Temperatures []float64    `json:"temperatures"`
	Cells        []GridCell   `json:"cells"`
}

// GridTeacher is the model a grid distilled.
type GridTeacher struct {
	File         string      `json:"file"`
	Preset       string      `json:"preset,omitempty"`
	Config       ModelConfig `json:"config"`
	Params       int         `json:"params"`
	TestAccuracy float64     `json:"test_accuracy"`
}

// GridCell is one finished (α, T) student.
type GridCell struct {
	Alpha        float64 `json:"alpha"`
	T            float64 `json:"temperature"`
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
	Seconds      float64 `json:"seconds"`
}
