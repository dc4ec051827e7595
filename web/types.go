package web

import "sentilab/protocol"

// The engine's messages are sentilab/protocol's types: one definition for
// the engine, the page, the server and the command line, so a renamed JSON
// key fails protocol's tests instead of reading as zero here. The page's
// names for them:
type (
	DataInfo        = protocol.LoadDataResult
	EDA             = protocol.EDAReport
	TrainProgress   = protocol.Progress // every progress payload's keys; switch on Phase
	Epoch           = protocol.Epoch
	Metrics         = protocol.Metrics
	ModelConfig     = protocol.ModelConfig
	VariantInfo     = protocol.VariantInfo
	TrainResult     = protocol.TrainResult
	WordEffect      = protocol.WordEffect
	Prediction      = protocol.Prediction
	TensorInfo      = protocol.TensorInfo
	Preset          = protocol.Preset
	PretrainedModel = protocol.ManifestModel // one entry of GET /api/models
	Histogram       = protocol.Histogram
)

// ThesisRow is one line of the thesis's results table (the reference thesis; README.md).
type ThesisRow struct {
	Variant  string
	Accuracy string
	SizeKB   float64
	AccPct   float64
	Params   string
}

// ThesisResults are the reference thesis's numbers (80/20 split of the 50k).
var ThesisResults = []ThesisRow{
	{"base (Keras, with optimizer state)", "86.43%", 31578, 86.43, "2,691,713"},
	{"dynamic-range int8 (TFLite)", "86.57%", 2644, 86.57, "2,691,713"},
	{"float16 (TFLite)", "86.43%", 5271, 86.43, "2,691,713"},
	{"magnitude pruning 20%→80%, 3 fine-tune epochs", "86.4–86.8%", 10535, 86.6, "543,847 non-zero"},
	{"distilled student (64/64), α 0.85, T 1.5", "87.6–88.4%", 5149, 88.0, "1,313,089"},
}
