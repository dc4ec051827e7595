package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

var metrics = &Metrics{N: 10, Loss: 0.5, Accuracy: 0.7, Confusion: [2][2]int{{3, 1}, {2, 4}},
	Classes: map[string]ClassReport{"negative": {Precision: 0.6, Recall: 0.75, F1: 0.5, Support: 4}},
	Macro:   ClassReport{Precision: 0.1, Recall: 0.2, F1: 0.3, Support: 10}, Weighted: ClassReport{Support: 10}}

const metricsJSON = `{"n":10,"loss":0.5,"accuracy":0.7,"confusion":[[3,1],[2,4]],"classes":{"negative":{"precision":0.6,"recall":0.75,"f1":0.5,"support":4}},` +
	`"macro_avg":{"precision":0.1,"recall":0.2,"f1":0.3,"support":10},"weighted_avg":{"precision":0,"recall":0,"f1":0,"support":10}}`

// evaluation is the evaluate reply: Metrics' keys, then the split by what
// the model trained on.
var evaluation = &Evaluation{Metrics: metrics, Data: "the test split (seed 42, 20%, permutation rule) of 50 reviews", Training: TrainingFingerprints,
	Seen: 8, Unseen: 2, SeenMetrics: &Metrics{N: 8, Accuracy: 0.75}, UnseenMetrics: &Metrics{N: 2, Accuracy: 0.5},
	Note: "8 of 10 reviews were in this model's training set; on the 2 unseen: 50.00%"}

const evaluationJSON = `{"n":10,"loss":0.5,"accuracy":0.7,"confusion":[[3,1],[2,4]],"classes":{"negative":{"precision":0.6,"recall":0.75,"f1":0.5,"support":4}},` +
	`"macro_avg":{"precision":0.1,"recall":0.2,"f1":0.3,"support":10},"weighted_avg":{"precision":0,"recall":0,"f1":0,"support":10},` +
	`"data":"the test split (seed 42, 20%, permutation rule) of 50 reviews","training":"fingerprints","seen":8,"unseen":2,` +
	`"seen_metrics":{"n":8,"loss":0,"accuracy":0.75,"confusion":[[0,0],[0,0]],"classes":null,"macro_avg":{"precision":0,"recall":0,"f1":0,"support":0},"weighted_avg":{"precision":0,"recall":0,"f1":0,"support":0}},` +
	`"unseen_metrics":{"n":2,"loss":0,"accuracy":0.5,"confusion":[[0,0],[0,0]],"classes":null,"macro_avg":{"precision":0,"recall":0,"f1":0,"support":0},"weighted_avg":{"precision":0,"recall":0,"f1":0,"support":0}},` +
	`"note":"8 of 10 reviews were in this model's training set; on the 2 unseen: 50.00%"}`

var cfg = ModelConfig{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre", Masking: true, Dropout: 0.2}

const cfgJSON = `{"vocab":5000,"embed":32,"hidden":32,"max_len":100,"padding":"pre","masking":true,"dropout":0.2}`

var info = &VariantInfo{Name: "base-int8", Kind: "int8", Preset: "classroom", Config: cfg, Params: 100, NonZero: 90, FileBytes: 4096,
	Metrics: metrics, History: []Epoch{{Epoch: 1, Loss: 0.6, Accuracy: 0.7, ValLoss: 0.5, ValAccuracy: 0.8, Seconds: 2}},
	Storage: "int8", Sparse: false, Runtime: "int8"}

const infoJSON = `{"name":"base-int8","kind":"int8","preset":"classroom","config":` + cfgJSON + `,"params":100,"nonzero":90,"file_bytes":4096,` +
	`"metrics":` + metricsJSON + `,"history":[{"epoch":1,"loss":0.6,"accuracy":0.7,"val_loss":0.5,"val_accuracy":0.8,"seconds":2}],` +
	`"storage":"int8","sparse":false,"runtime":"int8"}`

// messages pairs every message type with a value and its JSON, written out
// by hand: the wire format. Encoding the value must give exactly the JSON
// (no key renamed, added or dropped), and decoding the JSON strictly must
// give back the value.
var messages = []struct {
	name string
	v    any
	json string
}{
	{"Ready", &Ready{Version: "sentilab-engine/1", Kernel: "simd128"}, `{"version":"sentilab-engine/1","kernel":"simd128"}`},
	{"Error", &Error{Message: "canceled"}, `{"message":"canceled"}`},
	{"LoadDataRequest", &LoadDataRequest{Name: "imdb.csv.gz", URL: "api/data", Limit: 600, MaxBytes: 1 << 20, MaxRatio: 50}, `{"name":"imdb.csv.gz","url":"api/data","limit":600,"maxBytes":1048576,"maxRatio":50}`},
	{"LoadDataResult", &LoadDataResult{Name: "a.csv", Rows: 3, Positive: 2, Negative: 1, Hash: "ab",
		Hygiene: Hygiene{Reviews: 3, Positive: 2, Negative: 1, DuplicateReviews: 1, DuplicateTexts: 1, ContradictoryTexts: 1}, Warnings: []string{"w"}},
		`{"name":"a.csv","rows":3,"positive":2,"negative":1,"hash":"ab","hygiene":{"reviews":3,"positive":2,"negative":1,"duplicate_reviews":1,"duplicate_texts":1,"contradictory_texts":1},"warnings":["w"]}`},
	{"FetchProgress", &FetchProgress{Phase: PhaseFetch, URL: "api/data"}, `{"phase":"fetch","url":"api/data"}`},
	{"ReadProgress", &ReadProgress{Phase: PhaseRead, Bytes: 100, Total: 200}, `{"phase":"read","bytes":100,"total":200}`},
	{"CountProgress", &CountProgress{Phase: PhaseClean, Done: 5, Total: 9}, `{"phase":"clean","done":5,"total":9}`},
	{"TokenizeProgress", &TokenizeProgress{Phase: PhaseTokenize, TrainRows: 8, TestRows: 2}, `{"phase":"tokenize","train_rows":8,"test_rows":2}`},
	{"TrainProgress", &TrainProgress{Phase: PhaseTrain, Epoch: 1, Epochs: 3, Batch: 2, Batches: 10, Done: 128, Total: 1920, Loss: 0.69,
		Accuracy: 0.5, BatchLoss: 0.7, ExamplesPerSec: 300, ETASec: 6},
		`{"phase":"train","epoch":1,"epochs":3,"batch":2,"batches":10,"done":128,"total":1920,"loss":0.69,"accuracy":0.5,"batch_loss":0.7,"examples_per_sec":300,"eta_sec":6}`},
	{"EpochProgress", &EpochProgress{Phase: PhaseEpoch, History: []Epoch{{Epoch: 1, Loss: 0.6, Accuracy: 0.7, Seconds: 2}}},
		`{"phase":"epoch","history":[{"epoch":1,"loss":0.6,"accuracy":0.7,"seconds":2}]}`},
	{"Progress", &Progress{Phase: PhaseTrain, URL: "u", Bytes: 1, Epoch: 2, Epochs: 3, Batch: 4, Batches: 5, Done: 6, Total: 7, Loss: 0.5, Accuracy: 0.25,
		BatchLoss: 0.125, ExamplesPerSec: 8, ETASec: 9, History: []Epoch{{Epoch: 1}}, TrainRows: 10, TestRows: 11},
		`{"phase":"train","url":"u","bytes":1,"epoch":2,"epochs":3,"batch":4,"batches":5,"done":6,"total":7,"loss":0.5,"accuracy":0.25,"batch_loss":0.125,` +
			`"examples_per_sec":8,"eta_sec":9,"history":[{"epoch":1,"loss":0,"accuracy":0,"seconds":0}],"train_rows":10,"test_rows":11}`},
	{"TrainRequest", &TrainRequest{Preset: "fast", Name: "base", Epochs: 2, BatchSize: 32, LR: 0.002, ValSplit: ptr(0.1), Seed: 7, TrainLimit: ptr(0),
		TestFrac: 0.2, Vocab: 100, Embed: 8, Hidden: 16, MaxLen: 50, Padding: "post", Masking: ptr(false), Dropout: ptr(0.0), Patience: ptr(2),
		Workers: 2, MaxBatches: 3, Kernels: "portable"},
		`{"preset":"fast","name":"base","epochs":2,"batch_size":32,"lr":0.002,"val_split":0.1,"seed":7,"train_limit":0,"test_frac":0.2,` +
			`"vocab":100,"embed":8,"hidden":16,"max_len":50,"padding":"post","masking":false,"dropout":0,"patience":2,"workers":2,"max_batches":3,"kernels":"portable"}`},
	{"TrainRequest (the page's)", &TrainRequest{Preset: "classroom", Name: "base", Workers: 1},
		`{"preset":"classroom","name":"base","epochs":0,"batch_size":0,"lr":0,"seed":0,"test_frac":0,"vocab":0,"embed":0,"hidden":0,"max_len":0,"workers":1}`},
	{"Metrics", metrics, metricsJSON},
	{"TrainResult", &TrainResult{Variant: "base", History: []Epoch{{Epoch: 1, Loss: 1, Accuracy: 0.5, Seconds: 3}}, BestEpoch: 1, Test: metrics,
		Seconds: 3, EPS: 100, Params: 100, Train: 80, Config: cfg, Info: info},
		`{"variant":"base","history":[{"epoch":1,"loss":1,"accuracy":0.5,"seconds":3}],"best_epoch":1,"test":` + metricsJSON +
			`,"seconds":3,"examples_per_sec":100,"params":100,"train_rows":80,"config":` + cfgJSON + `,"info":` + infoJSON + `}`},
	{"PresetsResult", &PresetsResult{Presets: []Preset{{Name: "classroom", About: "small", Epochs: 3, BatchSize: 64, LR: 0.001, ValSplit: 0.1,
		TestFrac: 0.2, TrainLimit: 10000, Patience: 0, SplitRule: "grouped", ModelConfig: cfg}}, Kernel: "simd128"},
		`{"presets":[{"name":"classroom","about":"small","epochs":3,"batch_size":64,"lr":0.001,"val_split":0.1,"test_frac":0.2,"train_limit":10000,"patience":0,"split_rule":"grouped",` +
			cfgJSON[1:] + `],"kernel":"simd128"}`},
	{"CancelRequest", &CancelRequest{Target: 4}, `{"target":4}`},
	{"CancelResult", &CancelResult{Canceled: ptr(4.0)}, `{"canceled":4}`},
	{"CancelResult (none)", &CancelResult{}, `{"canceled":null}`},
	{"VariantRequest", &VariantRequest{Variant: "base"}, `{"variant":"base"}`},
	{"VariantInfo", info, infoJSON},
	{"VariantInfo (evaluated)", &VariantInfo{Name: "base", Config: cfg, MetricsData: "the file's test score", Evaluation: evaluation,
		Fingerprints: 40000, FingerprintBytes: 107904},
		`{"name":"base","kind":"","config":` + cfgJSON + `,"params":0,"nonzero":0,"file_bytes":0,"storage":"","sparse":false,"runtime":"",` +
			`"metrics_data":"the file's test score","evaluation":` + evaluationJSON + `,"fingerprints":40000,"fingerprint_bytes":107904}`},
	{"Evaluation", evaluation, evaluationJSON},
	{"Evaluation (unknown)", &Evaluation{Metrics: metrics, Data: "all 10 reviews of a.csv", Training: TrainingUnknown, Note: "training reviews unknown"},
		metricsJSON[:len(metricsJSON)-1] + `,"data":"all 10 reviews of a.csv","training":"unknown","seen":0,"unseen":0,"note":"training reviews unknown"}`},
	{"VariantsResult", &VariantsResult{Variants: []*VariantInfo{info}}, `{"variants":[` + infoJSON + `]}`},
	{"EvaluateRequest", &EvaluateRequest{Variant: "base", Seed: 42, TestFrac: 0.05}, `{"variant":"base","seed":42,"test_frac":0.05}`},
	{"EvaluateRequest", &EvaluateRequest{Variant: "base", Workers: 2}, `{"variant":"base","seed":0,"test_frac":0,"workers":2}`},
	{"PredictRequest", &PredictRequest{Text: "good", Variants: []string{"base"}, Explain: true}, `{"text":"good","variants":["base"],"explain":true}`},
	// The int8 runtime's 7-bit hidden state (core/compress/act7.go), and the reply's mark.
	{"EvaluateRequest", &EvaluateRequest{Variant: "base-int8", Workers: 2, Act7: true}, `{"variant":"base-int8","seed":0,"test_frac":0,"workers":2,"act7":true}`},
	{"PredictRequest", &PredictRequest{Text: "good", Variants: []string{"base-int8"}, Act7: true}, `{"text":"good","variants":["base-int8"],"explain":false,"act7":true}`},
	{"Prediction", &Prediction{Variant: "base-int8", Probability: 0.75, Label: "positive", MS: 0.3, Act7: true}, `{"variant":"base-int8","probability":0.75,"label":"positive","ms":0.3,"act7":true}`},
	{"PredictResult", &PredictResult{Cleaned: "good", Results: []Prediction{{Variant: "base", Probability: 0.75, Label: "positive", MS: 1.5,
		Words: []WordEffect{{Word: "good", Delta: 0.25}}}}},
		`{"cleaned":"good","results":[{"variant":"base","probability":0.75,"label":"positive","ms":1.5,"words":[{"word":"good","delta":0.25}]}]}`},
	{"ExplainRequest", &ExplainRequest{Text: "good", Variants: []string{"base", "base.int8"}, IGSteps: 32},
		`{"text":"good","variants":["base","base.int8"],"ig_steps":32}`},
	{"ExplainResult", &ExplainResult{Cleaned: "good film", Method: "integrated gradients", Formula: "IG", Readings: []Reading{{Variant: "base",
		Weights: "float32", Words: []string{"good", "film"}, Positions: []int{0, 1}, Sentiment: []float32{0.75, 0.5}, Input: []float32{0.25, 0.5},
		Forget: []float32{0.5, 0.5}, Candidate: []float32{-0.5, 0.25}, Output: []float32{0.125, 1}, Cell: []float32{1, -1, 0.5, 2}, Steps: 2, Hidden: 2,
		MaxLen: 170, Padding: "post", Cut: 0, Logit: 0, Probability: 0.5, Prediction: 0.5, Attribution: []float32{1.5, -0.25}, IGLogit: 0, BaselineLogit: -1.25,
		Completeness: 0.001, IGSteps: 64, IGPoints: 129, MS: 12.5}}},
		`{"cleaned":"good film","method":"integrated gradients","formula":"IG","readings":[{"variant":"base","weights":"float32","words":["good","film"],` +
			`"positions":[0,1],"sentiment":[0.75,0.5],"input":[0.25,0.5],"forget":[0.5,0.5],"candidate":[-0.5,0.25],"output":[0.125,1],"cell":[1,-1,0.5,2],` +
			`"steps":2,"hidden":2,"max_len":170,"padding":"post","cut":0,"logit":0,"probability":0.5,"prediction":0.5,"attribution":[1.5,-0.25],"ig_logit":0,` +
			`"baseline_logit":-1.25,"completeness":0.001,"ig_steps":64,"ig_points":129,"ms":12.5}]}`},
	{"InspectResult", &InspectResult{Variant: "base", Tensors: []TensorInfo{{Name: "dense.bias", Shape: []int{1}, Count: 1, Zeros: 0, Min: -1, Max: 1,
		Edges: []float64{-1, 1}, Counts: []int{1}, Distinct: 1}}},
		`{"variant":"base","tensors":[{"name":"dense.bias","shape":[1],"count":1,"zeros":0,"min":-1,"max":1,"edges":[-1,1],"counts":[1],"distinct":1}]}`},
	{"ExportResult", &ExportResult{Name: "base", Filename: "sentilab-base.safetensors", Size: 99}, `{"name":"base","filename":"sentilab-base.safetensors","size":99}`},
	{"ExportONNXResult", &ExportONNXResult{Name: "base.int8", Filename: "sentilab-base.int8.onnx", Size: 99, Weights: "int8"},
		`{"name":"base.int8","filename":"sentilab-base.int8.onnx","size":99,"weights":"int8"}`},
	{"DeleteResult", &DeleteResult{Deleted: "base-grid-a0.5-t1.5", Left: []string{"base"}}, `{"deleted":"base-grid-a0.5-t1.5","left":["base"]}`},
	{"DeleteResult (none left)", &DeleteResult{Deleted: "base", Left: []string{}}, `{"deleted":"base","left":[]}`},
	{"ImportRequest", &ImportRequest{Name: "base", URL: "models/base.safetensors", SHA256: "00ff"}, `{"name":"base","url":"models/base.safetensors","sha256":"00ff"}`},
	{"CompressRequest", &CompressRequest{Variant: "base", Method: "prune,int8", Name: "small", InitialSparsity: 0.2, FinalSparsity: 0.8, Epochs: 1,
		Alpha: 0.85, T: 1.5, Embed: 16, Hidden: 16, Thesis: true},
		`{"variant":"base","method":"prune,int8","name":"small","initial_sparsity":0.2,"final_sparsity":0.8,"epochs":1,"alpha":0.85,"t":1.5,"embed":16,"hidden":16,"thesis":true}`},
	{"CompressResult", &CompressResult{Info: info, Fit: &FitResult{History: []Epoch{{Epoch: 1, Seconds: 1}}, BestEpoch: 1, Seconds: 1, ExamplesPerSec: 10},
		Sparse: []TensorSparsity{{Name: "total", Total: 100, NonZero: 20, Sparsity: 0.8}}},
		`{"info":` + infoJSON + `,"fit":{"history":[{"epoch":1,"loss":0,"accuracy":0,"seconds":1}],"best_epoch":1,"train_seconds":1,"examples_per_second":10},` +
			`"sparsity":[{"name":"total","total":100,"nonzero":20,"sparsity":0.8}]}`},
	{"ShardInitRequest", &ShardInitRequest{Config: cfg, N: 600, Chunk: 32, Seed: 42, LR: 0.001, Kernels: "portable"},
		`{"config":` + cfgJSON + `,"n":600,"chunk":32,"seed":42,"lr":0.001,"kernels":"portable"}`},
	{"ShardInitResult", &ShardInitResult{Rows: 600}, `{"rows":600}`},
	{"ShardStepRequest", &ShardStepRequest{Step: 3, Rows: []int{4, 5}, ChunkBase: 1, Scale: 0.015625, Update: true, WeightsHash: "abc"},
		`{"step":3,"rows":[4,5],"chunk_base":1,"scale":0.015625,"update":true,"weights_hash":"abc"}`},
	{"ShardStepRequest (own part)", &ShardStepRequest{Step: 3, Rows: []int{}, Update: true, Own: true},
		`{"step":3,"rows":[],"chunk_base":0,"scale":0,"update":true,"own":true}`},
	{"ShardStepResult", &ShardStepResult{Loss: 1.5, Right: 3}, `{"loss":1.5,"right":3}`},
	{"ShardLogitsRequest", &ShardLogitsRequest{N: 240, Chunks: []int{120, 120}}, `{"n":240,"chunks":[120,120]}`},
	{"ScoreRowsRequest", &ScoreRowsRequest{Model: "base", FileBytes: 5600446, N: 5000, Chunks: []int{2500, 2500}}, `{"model":"base","file_bytes":5600446,"n":5000,"chunks":[2500,2500]}`},
	{"ShardLogitsResult", &ShardLogitsResult{N: 240}, `{"n":240}`},
	{"EDAReport", edaReport(), edaJSON},
	{"Manifest", &Manifest{Models: []ManifestModel{{Name: "base.int8", File: "base.int8.safetensors", Bytes: 10, SHA256: "ff", Variant: "int8",
		Runtime: "int8", Metrics: map[string]float64{"test_accuracy": 0.88}, Provenance: Provenance{Seed: 42, DataHash: "dh", Command: "lab", Time: "t"},
		Preset: "fast", Config: cfg, Preprocessing: "thesis", Params: 100, NonZero: 90,
		Tensors:  []ManifestTensor{{Name: "dense.bias", DType: "F32", Shape: []int{1}, Bytes: 4}},
		Pipeline: []PipelineStep{{Method: "int8", Params: map[string]any{"epochs": 3.0}, Seconds: 1, TestAccuracy: 0.88, NumParams: 100, NonZero: 90, History: []Epoch{{Epoch: 1}}, BestEpoch: 1}},
		History:  []Epoch{{Epoch: 1, Loss: 0.5}}, BestEpoch: 1, Confusion: &[2][2]int{{1, 2}, {3, 4}},
		Thesis: &ThesisRow{Accuracy: "86.57%", Size: "2,644 KB", Params: "2,691,713"}}},
		DistillGrid: &DistillGrid{Source: "g.jsonl", Teacher: &GridTeacher{File: "base.safetensors", Preset: "fast", Config: cfg, Params: 100, TestAccuracy: 0.88},
			Alphas: []float64{0.5}, Temperatures: []float64{1.5}, Cells: []GridCell{{Alpha: 0.5, T: 1.5, TestAccuracy: 0.87, TestLoss: 0.3, Seconds: 9}}}},
		`{"models":[{"name":"base.int8","file":"base.int8.safetensors","bytes":10,"sha256":"ff","variant":"int8","runtime":"int8",` +
			`"metrics":{"test_accuracy":0.88},"provenance":{"seed":42,"data_hash":"dh","command":"lab","time":"t"},"preset":"fast","config":` + cfgJSON +
			`,"preprocessing":"thesis","params":100,"nonzero":90,"tensors":[{"name":"dense.bias","dtype":"F32","shape":[1],"bytes":4}],` +
			`"pipeline":[{"method":"int8","params":{"epochs":3},"seconds":1,"test_accuracy":0.88,"params_count":100,"nonzero":90,` +
			`"history":[{"epoch":1,"loss":0,"accuracy":0,"seconds":0}],"best_epoch":1}],` +
			`"history":[{"epoch":1,"loss":0.5,"accuracy":0,"seconds":0}],"best_epoch":1,"confusion":[[1,2],[3,4]],` +
			`"thesis":{"test_accuracy":"86.57%","size":"2,644 KB","params":"2,691,713"}}],` +
			`"distill_grid":{"source":"g.jsonl","teacher":{"file":"base.safetensors","preset":"fast","config":` + cfgJSON + `,"params":100,"test_accuracy":0.88},` +
			`"alphas":[0.5],"temperatures":[1.5],"cells":[{"alpha":0.5,"temperature":1.5,"test_accuracy":0.87,"test_loss":0.3,"seconds":9}]}}`},
	{"ResultRow", &ResultRow{Name: "base", Method: "base", Runtime: "float32", TestAccuracy: 0.88, AccuracyChange: 0, TestLoss: 0.3, FileBytes: 100,
		GzipBytes: 90, Params: 10, NonZero: 9, Seconds: 60, ReviewsPerSec: 1000, WasmPerSec: 300, Thesis: &ThesisRow{Accuracy: "86.43%"}},
		`{"name":"base","method":"base","runtime":"float32","test_accuracy":0.88,"accuracy_change":0,"test_loss":0.3,"file_bytes":100,"gzip_bytes":90,` +
			`"params":10,"nonzero":9,"seconds":60,"reviews_per_second":1000,"wasm_reviews_per_second":300,"thesis":{"test_accuracy":"86.43%","size":"","params":""}}`},
	{"ResultRow (baseline, out of domain)", &ResultRow{Name: "baseline", Method: "baseline", Runtime: "float32", TestAccuracy: 0.9, FileBytes: 100,
		GzipBytes: 50, Params: 11, NonZero: 10, ReviewsPerSec: 5000, Kind: "tfidf-logreg", OODAccuracy: 0.75, OODLoss: 0.5, OODN: 10662, OODData: "rt.csv.gz"},
		`{"name":"baseline","method":"baseline","runtime":"float32","test_accuracy":0.9,"accuracy_change":0,"test_loss":0,"file_bytes":100,"gzip_bytes":50,` +
			`"params":11,"nonzero":10,"seconds":0,"reviews_per_second":5000,"kind":"tfidf-logreg","ood_accuracy":0.75,"ood_loss":0.5,"ood_n":10662,"ood_data":"rt.csv.gz"}`},
	{"Manifest (baseline)", &Manifest{Models: []ManifestModel{{Name: "baseline", File: "baseline.safetensors", Bytes: 10, SHA256: "ff", Variant: "baseline",
		Runtime: "float32", Metrics: map[string]float64{"ood_accuracy": 0.75}, Preprocessing: "p", Params: 11, NonZero: 10, Kind: "tfidf-logreg", OODData: "rt.csv.gz"}}},
		`{"models":[{"name":"baseline","file":"baseline.safetensors","bytes":10,"sha256":"ff","variant":"baseline","runtime":"float32",` +
			`"metrics":{"ood_accuracy":0.75},"provenance":{"seed":0},"preprocessing":"p","params":11,"nonzero":10,"tensors":null,"kind":"tfidf-logreg","ood_data":"rt.csv.gz"}]}`},
	{"Datasets", &Datasets{Datasets: []Dataset{{Name: "imdb.csv.gz", URL: "api/data", Role: RoleTrain, Bytes: 26}, {Name: "rt.csv.gz", URL: "api/data-ood", Role: RoleOOD, Bytes: 5}}},
		`{"datasets":[{"name":"imdb.csv.gz","url":"api/data","role":"train","bytes":26},{"name":"rt.csv.gz","url":"api/data-ood","role":"ood","bytes":5}]}`},
	{"TrainBaselineRequest", &TrainBaselineRequest{Name: "baseline", Seed: 42, TestFrac: 0.2, TrainLimit: 100, SplitRule: "permutation", C: 30, MaxTerms: 5000},
		`{"name":"baseline","seed":42,"test_frac":0.2,"train_limit":100,"split_rule":"permutation","c":30,"max_terms":5000}`},
	{"TrainBaselineRequest (the page's)", &TrainBaselineRequest{Name: "baseline"}, `{"name":"baseline","seed":0,"test_frac":0}`},
	{"BaselineProgress", &BaselineProgress{Phase: PhaseBaseline, Stage: "fit", Done: 3, Total: 100, Loss: 0.25},
		`{"phase":"baseline","stage":"fit","done":3,"total":100,"loss":0.25}`},
	{"TrainBaselineResult", &TrainBaselineResult{Variant: "baseline", Info: info, Test: metrics, TrainRows: 80, Terms: 500, Iterations: 30, Seconds: 4,
		VocabSeconds: 1, FeaturesSeconds: 1, FitSeconds: 2, EvalSeconds: 0.5, ReviewsPerSec: 20,
		TopPositive: []TermWeight{{Term: "great", Weight: 9.5}}, TopNegative: []TermWeight{{Term: "worst", Weight: -11}}},
		`{"variant":"baseline","info":` + infoJSON + `,"test":` + metricsJSON + `,"train_rows":80,"terms":500,"iterations":30,"seconds":4,` +
			`"vocab_seconds":1,"features_seconds":1,"fit_seconds":2,"eval_seconds":0.5,"reviews_per_sec":20,` +
			`"top_positive":[{"term":"great","weight":9.5}],"top_negative":[{"term":"worst","weight":-11}]}`},
	{"BaselineExplainRequest", &BaselineExplainRequest{Variant: "baseline", Text: "great", K: 5}, `{"variant":"baseline","text":"great","k":5}`},
	{"BaselineExplainResult", &BaselineExplainResult{Variant: "baseline", Logit: 1.5, Positive: 0.75, Bias: 0.25, Terms: 2,
		TopPositive: []Contribution{{Term: "great", Value: 0.5, Weight: 4, Logit: 2}}, TopNegative: []Contribution{{Term: "not", Value: 0.5, Weight: -1.5, Logit: -0.75}}},
		`{"variant":"baseline","logit":1.5,"positive":0.75,"bias":0.25,"terms":2,"top_positive":[{"term":"great","value":0.5,"weight":4,"logit":2}],` +
			`"top_negative":[{"term":"not","value":0.5,"weight":-1.5,"logit":-0.75}]}`},
	{"OODEvaluation", &OODEvaluation{Metrics: metrics, Data: "all 10 reviews of rt.csv.gz", Seconds: 0.5, ReviewsPerSec: 20},
		metricsJSON[:len(metricsJSON)-1] + `,"data":"all 10 reviews of rt.csv.gz","seconds":0.5,"reviews_per_sec":20}`},
	{"VariantInfo (baseline, out of domain)", &VariantInfo{Name: "baseline", Kind: "trained", MetricsData: "the test split", ModelKind: ModelKindTFIDF,
		OOD: &OODEvaluation{Metrics: metrics, Data: "all 10 reviews of rt.csv.gz", Seconds: 0.5, ReviewsPerSec: 20}},
		`{"name":"baseline","kind":"trained","config":{"vocab":0,"embed":0,"hidden":0,"max_len":0,"padding":"","masking":false,"dropout":0},` +
			`"params":0,"nonzero":0,"file_bytes":0,"storage":"","sparse":false,"runtime":"","metrics_data":"the test split","model_kind":"tfidf-logreg",` +
			`"ood":` + metricsJSON[:len(metricsJSON)-1] + `,"data":"all 10 reviews of rt.csv.gz","seconds":0.5,"reviews_per_sec":20}}`},
	{"TrainOutput", &TrainOutput{Preset: "fast", Config: cfg, Params: 10, TrainN: 8, TestN: 2, TestAccuracy: 0.5, TestLoss: 0.7, Test: metrics,
		History: []Epoch{{Epoch: 1}}, BestEpoch: 1, PrepSeconds: 1, TrainSeconds: 2, EvalSeconds: 3, ExamplesPerSec: 4, Workers: 2, Kernels: "portable", Model: "m.safetensors"},
		`{"preset":"fast","config":` + cfgJSON + `,"params":10,"train_n":8,"test_n":2,"test_accuracy":0.5,"test_loss":0.7,"test":` + metricsJSON +
			`,"history":[{"epoch":1,"loss":0,"accuracy":0,"seconds":0}],"best_epoch":1,"prep_seconds":1,"train_seconds":2,"eval_seconds":3,` +
			`"examples_per_second":4,"workers":2,"kernels":"portable","model":"m.safetensors"}`},
}

func edaReport() *EDAReport {
	r := &EDAReport{Rows: 2, NullReviews: 0, DuplicateReviews: 1, DuplicateRows: 1, ContradictoryTexts: 1, Warnings: []string{"w"}, DistinctChars: 3, Chars: " ab",
		Classes: []ClassStats{{Sentiment: "negative", Label: 0, Count: 1, WordCount: Summary{Mean: 2, Min: 2, Max: 2}, CharLength: Summary{Mean: 3, Min: 3, Max: 3},
			WordCountHist: Histogram{Edges: []float64{0, 1}, Counts: []int{1}}, CharLengthHist: Histogram{Edges: []float64{0, 1}, Counts: []int{1}},
			TopWords: []WordFreq{{Word: "a", Count: 2}}}},
		WordCountPercentiles: []Percentile{{P: 50, Value: 2}},
		TFIDF:                TFIDF{MaxFeatures: 1000, Vocabulary: 2, Top: []TermScore{{Term: "ab", Score: 0.5}}}}
	r.Describe.Review = Describe{Count: 2, Unique: 1, Top: "a b", Freq: 2}
	r.Describe.Sentiment = Describe{Count: 2, Unique: 2, Top: "negative", Freq: 1}
	return r
}

const edaJSON = `{"rows":2,"null_reviews":0,"duplicate_reviews":1,"duplicate_rows":1,"contradictory_texts":1,"warnings":["w"],` +
	`"describe":{"review":{"count":2,"unique":1,"top":"a b","freq":2},"sentiment":{"count":2,"unique":2,"top":"negative","freq":1}},` +
	`"classes":[{"sentiment":"negative","label":0,"count":1,"word_count":{"mean":2,"min":2,"max":2},"char_length":{"mean":3,"min":3,"max":3},` +
	`"word_count_hist":{"edges":[0,1],"counts":[1]},"char_length_hist":{"edges":[0,1],"counts":[1]},"top_words":[{"word":"a","count":2}]}],` +
	`"word_count_percentiles":[{"p":50,"value":2}],"distinct_chars":3,"chars":" ab",` +
	`"tfidf":{"max_features":1000,"vocabulary":2,"top":[{"term":"ab","score":0.5}]}}`

func TestRoundTrip(t *testing.T) {
	for _, m := range messages {
		got, err := json.Marshal(m.v)
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if string(got) != m.json {
			t.Errorf("%s encodes as\n%s\nwant\n%s", m.name, got, m.json)
		}
		// The golden JSON, decoded strictly, is the value again.
		back := reflect.New(reflect.TypeOf(m.v).Elem()).Interface()
		if err := Decode(m.name, []byte(m.json), back); err != nil {
			t.Errorf("%s: golden JSON refused: %v", m.name, err)
		} else if !reflect.DeepEqual(back, m.v) {
			t.Errorf("%s: golden JSON decodes as %+v, want %+v", m.name, back, m.v)
		}
	}
}

// Every exported message type of the package is in the table.
func TestEveryTypeCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, m := range messages {
		covered[reflect.TypeOf(m.v).Elem().Name()] = true
	}
	for _, name := range []string{"Ready", "Error", "LoadDataRequest", "LoadDataResult", "FetchProgress", "ReadProgress", "CountProgress",
		"TokenizeProgress", "TrainProgress", "EpochProgress", "Progress", "TrainRequest", "Metrics", "TrainResult", "PresetsResult",
		"CancelRequest", "CancelResult", "VariantRequest", "VariantInfo", "VariantsResult", "EvaluateRequest", "PredictRequest",
		"PredictResult", "InspectResult", "ExportResult", "ExportONNXResult", "ImportRequest", "CompressRequest", "CompressResult", "ShardInitRequest",
		"ShardInitResult", "ShardStepRequest", "ShardStepResult", "ScoreRowsRequest", "ExplainRequest", "ExplainResult", "EDAReport", "Manifest", "ResultRow", "TrainOutput", "Datasets", "Evaluation",
		"TrainBaselineRequest", "BaselineProgress", "TrainBaselineResult", "BaselineExplainRequest", "BaselineExplainResult", "OODEvaluation"} {
		if !covered[name] {
			t.Errorf("%s has no round-trip case", name)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"preset":"fast","epoch":3}`, `train request: json: unknown field "epoch"`},
		{`{"preset":"fast"} {}`, "train request: trailing data"},
		{`{"preset":7}`, "train request: json: cannot unmarshal number into Go struct field TrainRequest.preset of type string"},
		{`{"preset":`, "train request: unexpected EOF"},
	} {
		var r TrainRequest
		err := Decode("train request", []byte(c.in), &r)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.in, err, c.want)
		}
	}
	var r TrainRequest
	if err := Decode("train request", nil, &r); err != nil || r != (TrainRequest{}) {
		t.Errorf("empty payload: %v %+v", err, r)
	}
	if err := Decode("x", bytes.TrimSpace([]byte("  {} \n")), &r); err != nil {
		t.Error(err)
	}
}
