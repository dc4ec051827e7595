package compress

import (
	"encoding/json"
	"fmt"
	"strings"

	"sentilab/core/train"
)

// Methods are the compression steps a pipeline may chain.
var Methods = []string{"prune", "prune-units", "distill", "int8", "int8-weights", "f16"}

// KeyPipeline is the model-file metadata key holding the steps that made a
// variant, a JSON array of Step, oldest first.
const KeyPipeline = "pipeline"

// Step records one compression step in a model file's provenance.
type Step struct {
	Method       string         `json:"method"`
	Params       map[string]any `json:"params,omitempty"`
	Seconds      float64        `json:"seconds"`
	TestAccuracy float64        `json:"test_accuracy"`
	NumParams    int            `json:"params_count"`
	NonZero      int            `json:"nonzero"`
	History      []train.Epoch  `json:"history,omitempty"` // of the steps that train
	BestEpoch    int            `json:"best_epoch,omitempty"`
}

// ParseMethods splits "prune,distill,int8" and checks the sequence: known
// methods, and a storage step (int8, int8-weights, f16) only last, since
// what follows a quantization would train or re-encode the float weights.
func ParseMethods(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		known := false
		for _, m := range Methods {
			known = known || m == f
		}
		if !known {
			return nil, fmt.Errorf("unknown method %q (want %s)", f, strings.Join(Methods, ", "))
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no method given (want one or more of %s, comma-separated)", strings.Join(Methods, ", "))
	}
	for i, m := range out[:len(out)-1] {
		if IsStorage(m) {
			return nil, fmt.Errorf("method %q is step %d of %d: quantization (int8, int8-weights, f16) must be the last step", m, i+1, len(out))
		}
	}
	return out, nil
}

// IsStorage reports whether a method only changes how weights are stored.
func IsStorage(m string) bool { return m == "int8" || m == "int8-weights" || m == "f16" }

// ReadPipeline parses a file's pipeline metadata ("" = no steps).
func ReadPipeline(s string) ([]Step, error) {
	if s == "" {
		return nil, nil
	}
	var steps []Step
	if err := json.Unmarshal([]byte(s), &steps); err != nil {
		return nil, fmt.Errorf("metadata %q: %v", KeyPipeline, err)
	}
	return steps, nil
}

// PipelineJSON is the metadata value for steps.
func PipelineJSON(steps []Step) string {
	b, err := json.Marshal(steps)
	if err != nil {
		return "[]" // only numbers, strings and maps of them: cannot fail
	}
	return string(b)
}
