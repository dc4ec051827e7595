package protocol

// Layer-by-layer requests (core/layers): what storage does to each tensor,
// how sensitive the accuracy is to each, and two variants compared tensor
// by tensor. core/layers fills these very structs.
const (
	TypeLayers     = "layers"     // LayersRequest → LayersResult; progress CountProgress (PhaseEvaluate: reviews scored of all evaluations)
	TypeHistograms = "histograms" // HistogramsRequest → HistogramsResult
	TypeDiff       = "diff"       // DiffRequest → DiffResult
)

// LayersRequest asks for a variant's per-tensor statistics and, with
// Sensitivity, its sensitivity table on the first Reviews reviews of its
// test split (0 = 2,000) of the loaded data.
type LayersRequest struct {
	Variant     string `json:"variant"`
	Sensitivity bool   `json:"sensitivity"`
	Reviews     int    `json:"reviews"`
	// PruneSparsity is the share of one tensor's weights pruned (0 = 0.5).
	PruneSparsity float64 `json:"prune_sparsity"`
}

// LayerStat is what storage does to one tensor. Errors are relative to the
// tensor's RMS, sqrt(mean w²).
type LayerStat struct {
	Name       string  `json:"name"`
	Shape      []int   `json:"shape"`
	Size       int     `json:"size"`
	RMS        float64 `json:"rms"`
	Int8Stored bool    `json:"int8_stored"` // false for biases: the int8 file keeps them float32
	Int8RMS    float64 `json:"int8_rms"`    // sqrt(mean (w − deq(q(w)))²) / RMS
	Int8Max    float64 `json:"int8_max"`    // max |w − deq(q(w))| / RMS
	F16RMS     float64 `json:"f16_rms"`
	F16Max     float64 `json:"f16_max"`
	Sparsity   float64 `json:"sparsity"` // share of exact zeros
}

// LayerSensitivity is the score with only one tensor changed: int8
// (dequantized, float32 compute) or magnitude-pruned. Int8 and Prune are
// false for the biases, which the lab never quantizes or prunes: their
// numbers are then the unchanged model's.
type LayerSensitivity struct {
	Name          string  `json:"name"`
	Int8          bool    `json:"int8"`
	Int8Accuracy  float64 `json:"int8_accuracy"`
	Int8Loss      float64 `json:"int8_loss"`
	Int8DAcc      float64 `json:"int8_dacc"`
	Int8DLoss     float64 `json:"int8_dloss"`
	Prune         bool    `json:"prune"`
	PruneAccuracy float64 `json:"prune_accuracy"`
	PruneLoss     float64 `json:"prune_loss"`
	PruneDAcc     float64 `json:"prune_dacc"`
	PruneDLoss    float64 `json:"prune_dloss"`
	PruneSparsity float64 `json:"prune_sparsity"` // the tensor's zeros after pruning
}

// SensitivityTable is the unchanged model's score and one row per tensor.
type SensitivityTable struct {
	N             int                `json:"n"`
	Accuracy      float64            `json:"accuracy"`
	Loss          float64            `json:"loss"`
	PruneSparsity float64            `json:"prune_sparsity"`
	Rows          []LayerSensitivity `json:"rows"`
}

type LayersResult struct {
	Variant string      `json:"variant"`
	Stats   []LayerStat `json:"stats"`
	// With Sensitivity: the table, the reviews it was measured on, and
	// the tensor whose int8 costs the most (selective's default).
	Table         *SensitivityTable `json:"table,omitempty"`
	Data          string            `json:"data,omitempty"`
	MostSensitive string            `json:"most_sensitive,omitempty"`
}

// LayerHistogram counts one tensor's weights of two variants in the same
// equal-width bins over [Lo, Hi] (a weight equal to Hi in the last bin).
type LayerHistogram struct {
	Name   string   `json:"name"`
	Lo     float64  `json:"lo"`
	Hi     float64  `json:"hi"`
	Counts [2][]int `json:"counts"` // [variant][bin]
	Sizes  [2]int   `json:"sizes"`
}

// HistogramsRequest bins two variants' weights (0 bins = 40).
type HistogramsRequest struct {
	A    string `json:"a"`
	B    string `json:"b"`
	Bins int    `json:"bins"`
}

type HistogramsResult struct {
	A          string           `json:"a"`
	B          string           `json:"b"`
	Histograms []LayerHistogram `json:"histograms"`
}

// LayerChange is one tensor's difference between two variants of one shape.
type LayerChange struct {
	Name    string  `json:"name"`
	Size    int     `json:"size"`
	Changed int     `json:"changed"` // weights whose value differs
	Share   float64 `json:"share"`   // Changed / Size
	MaxAbs  float64 `json:"max_abs"` // max |b − a|
	RMS     float64 `json:"rms"`     // sqrt(mean (b − a)²) over all weights
}

// DiffRequest compares variant B with A.
type DiffRequest struct {
	A string `json:"a"`
	B string `json:"b"`
}

type DiffResult struct {
	A       string        `json:"a"`
	B       string        `json:"b"`
	Changes []LayerChange `json:"changes"`
}
