package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"sentilab/core/baseline"
	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/fingerprint"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

// Version is reported in the ready message.
const Version = "sentilab-engine/1"

// Engine holds one worker's state: the loaded reviews, their cleaned texts
// (cleaned once, shared by EDA, training and evaluation) and the models.
type Engine struct {
	// Yield gives the JS event loop a turn; nil natively. Long loops call
	// e.tick, which calls Yield at most about every 50 ms.
	Yield func()
	// Fetch GETs a URL with the worker's fetch and returns its body as a
	// stream and the body's length (-1 if unknown); nil natively.
	Fetch func(url string) (body io.ReadCloser, size int64, err error)

	// NewPeers starts n helper engines for data-parallel training (other
	// Web Workers); nil means training runs in this engine only.
	NewPeers func(n int) ([]Peer, error)

	mu    sync.Mutex
	peers []Peer
	// helperModels[k] is the key of the model peers[k] was last sent for
	// a shared evaluation (evalshare.go); scoring is the one this engine
	// scores rows with as a helper.
	helperModels []string
	scoring      *scoring
	helper       *helperState // set when this engine is a helper
	dataName     string
	reviews      []data.Review
	cleaned      []string // text.Clean of reviews[i]; nil until first needed
	// last is the last split made of reviews (data.go's split): the
	// Compare step evaluates variant after variant on the same one.
	last *lastSplit
	// evalWS are evaluate's workspaces, kept from one call to the next,
	// dropped before a training run (train.Workspaces).
	evalWS    train.Workspaces
	variants  map[string]*variant
	classKey  string // the training settings of the "class-base" variant (classjob.go)
	lastYield time.Time
	// The second dataset (ood.go): scored on, never trained on.
	oodName string
	ood     []data.Review
}

// getPeers returns n helper engines, starting more if needed.
func (e *Engine) getPeers(n int) ([]Peer, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.peers) < n {
		if e.NewPeers == nil {
			return nil, errors.New("this engine cannot start helper workers")
		}
		more, err := e.NewPeers(n - len(e.peers))
		if err != nil {
			return nil, err
		}
		e.peers = append(e.peers, more...)
	}
	return e.peers[:n], nil
}

// variant is one model the lab can evaluate, compare, try and export.
type variant struct {
	Name    string
	Model   *nn.Model
	Tok     *text.Tokenizer
	Kind    string // "trained", "imported", or the chain that made it (lab.ChainName)
	Chain   string // what the model file records as its variant: "base", "prune+int8", ...
	Steps   []compress.Step
	Preset  string
	Seed    uint64
	Metrics *train.Metrics
	History []train.Epoch
	Data    string                 // data hash the model was trained on
	Enc     compress.EncodeOptions // how its model file stores the weights
	// Q is the int8 runtime (compress.QModel) of a variant whose chain
	// ends in int8: it scores and predicts with int8 products, as TFLite
	// would, not with Model, which holds the dequantized weights.
	Q     *compress.QModel
	split lab.SplitSpec // the data split it was trained and scored on
	// MetricsData says which reviews Metrics were scored on; Eval is the
	// latest evaluate on the loaded data (guarded by Engine.mu).
	MetricsData string
	Eval        *protocol.Evaluation
	// fp are the training reviews' fingerprints (nil: not recorded): a
	// compressed variant inherits its source's.
	fp *fingerprint.Set
	// B is the TF-IDF baseline (baseline.go) of a baseline variant, whose
	// Model and Tok are nil; bmeta is its file's metadata, bsize its size.
	B     *baseline.Model
	bmeta modelfile.Meta
	bsize int64
	// OOD is the latest score on the second dataset (guarded by Engine.mu).
	OOD *protocol.OODEvaluation
	// table is Model's nn.InputTable for one-review predictions, made on
	// the first and filled as they go (a variant's weights never change
	// once it exists).
	tableOnce sync.Once
	table     *nn.InputTable
	// sized holds what the model list shows that costs a pass over the
	// weights: its file's size (the file built once: 139 ms a listing for
	// the thesis-shape model and its int8 copy in the browser, and the page
	// lists the models each time a step opens) and its non-zero weights.
	sized     sync.Once
	fileBytes int64
	nonZero   int

	// scoreKey names it to helpers that score a share of its evaluations
	// (evalshare.go); made on first use.
	scoreKey string

	// Workers is the Web Workers that trained it (0: not trained here):
	// the count picks the chunks' dropout seeds and the sums' grouping,
	// so the model file records it beside the seed.
	Workers int
}

// NewEngine returns an empty engine.
func NewEngine() *Engine { return &Engine{variants: map[string]*variant{}} }

// Progress reports intermediate results of a request: one of the
// protocol's progress types.
type Progress func(payload any)

// handler decodes a request's payload into its protocol type P and runs it.
func handler[P any](run func(e *Engine, ctx context.Context, p P, buf []byte, progress Progress) (any, []byte, error)) func(*Engine, context.Context, string, []byte, []byte, Progress) (any, []byte, error) {
	return func(e *Engine, ctx context.Context, typ string, payload, buf []byte, progress Progress) (any, []byte, error) {
		var p P
		if err := protocol.Decode(typ+" request", payload, &p); err != nil {
			return nil, nil, err
		}
		return run(e, ctx, p, buf, progress)
	}
}

type none struct{}

// handlers maps every request type to its handler (protocol's Type constants).
var handlers = map[string]func(*Engine, context.Context, string, []byte, []byte, Progress) (any, []byte, error){
	protocol.TypeLoadData: handler(func(e *Engine, ctx context.Context, p protocol.LoadDataRequest, buf []byte, pr Progress) (any, []byte, error) {
		r, err := e.loadData(ctx, p, buf, pr)
		return r, nil, err
	}),
	protocol.TypeEDA: handler(func(e *Engine, ctx context.Context, _ none, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.eda(ctx, pr)
		return r, nil, err
	}),
	protocol.TypeTrain: handler(func(e *Engine, ctx context.Context, p protocol.TrainRequest, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.train(ctx, p, pr)
		return r, nil, err
	}),
	protocol.TypeEvaluate: handler(func(e *Engine, ctx context.Context, p protocol.EvaluateRequest, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.evaluate(ctx, p, pr)
		return r, nil, err
	}),
	protocol.TypePredict: handler(func(e *Engine, ctx context.Context, p protocol.PredictRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.predict(ctx, p)
		return r, nil, err
	}),
	protocol.TypeExplain: handler(func(e *Engine, ctx context.Context, p protocol.ExplainRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.explainReview(ctx, p)
		return r, nil, err
	}),
	protocol.TypePresets: handler(func(e *Engine, _ context.Context, _ none, _ []byte, _ Progress) (any, []byte, error) {
		return presetList(), nil, nil
	}),
	protocol.TypeVariants: handler(func(e *Engine, _ context.Context, _ none, _ []byte, _ Progress) (any, []byte, error) {
		return &protocol.VariantsResult{Variants: e.infos()}, nil, nil
	}),
	protocol.TypeInspect: handler(func(e *Engine, _ context.Context, p protocol.VariantRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.inspect(p.Variant)
		return r, nil, err
	}),
	protocol.TypeExportModel: handler(func(e *Engine, _ context.Context, p protocol.VariantRequest, _ []byte, _ Progress) (any, []byte, error) {
		return e.exportModel(p.Variant)
	}),
	protocol.TypeExportONNX: handler(func(e *Engine, _ context.Context, p protocol.VariantRequest, _ []byte, _ Progress) (any, []byte, error) {
		return e.exportONNX(p.Variant)
	}),
	protocol.TypeImportModel: handler(func(e *Engine, _ context.Context, p protocol.ImportRequest, buf []byte, _ Progress) (any, []byte, error) {
		r, err := e.importModel(p, buf)
		return r, nil, err
	}),
	protocol.TypeDelete: handler(func(e *Engine, _ context.Context, p protocol.VariantRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.deleteVariant(p.Variant)
		return r, nil, err
	}),
	protocol.TypeShardInit: handler(func(e *Engine, _ context.Context, p protocol.ShardInitRequest, buf []byte, _ Progress) (any, []byte, error) {
		r, err := e.shardInit(p, buf)
		return r, nil, err
	}),
	protocol.TypeShardStep: handler(func(e *Engine, ctx context.Context, p protocol.ShardStepRequest, buf []byte, _ Progress) (any, []byte, error) {
		return e.shardStep(ctx, p, buf)
	}),
	protocol.TypeShardLogits: handler(func(e *Engine, ctx context.Context, p protocol.ShardLogitsRequest, buf []byte, _ Progress) (any, []byte, error) {
		return e.shardLogits(ctx, p, buf)
	}),
	protocol.TypeLayers: handler(func(e *Engine, ctx context.Context, p protocol.LayersRequest, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.layers(ctx, p, pr)
		return r, nil, err
	}),
	protocol.TypeHistograms: handler(func(e *Engine, _ context.Context, p protocol.HistogramsRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.histograms(p)
		return r, nil, err
	}),
	protocol.TypeDiff: handler(func(e *Engine, _ context.Context, p protocol.DiffRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.diff(p)
		return r, nil, err
	}),
	protocol.TypeTrainBaseline: handler(func(e *Engine, ctx context.Context, p protocol.TrainBaselineRequest, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.trainBaseline(ctx, p, pr)
		return r, nil, err
	}),
	protocol.TypeExplainBaseline: handler(func(e *Engine, _ context.Context, p protocol.BaselineExplainRequest, _ []byte, _ Progress) (any, []byte, error) {
		r, err := e.explainBaseline(p)
		return r, nil, err
	}),
	protocol.TypeLoadOOD: handler(func(e *Engine, ctx context.Context, p protocol.LoadDataRequest, buf []byte, pr Progress) (any, []byte, error) {
		r, err := e.loadOOD(ctx, p, buf, pr)
		return r, nil, err
	}),
	protocol.TypeEvaluateOOD: handler(func(e *Engine, ctx context.Context, p protocol.VariantRequest, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.evaluateOOD(ctx, p.Variant, pr)
		return r, nil, err
	}),
	protocol.TypeClassJob: handler(func(e *Engine, ctx context.Context, p protocol.LabRun, _ []byte, pr Progress) (any, []byte, error) {
		return e.classJob(ctx, p, pr)
	}),
	protocol.TypeScoreRows: handler(func(e *Engine, ctx context.Context, p protocol.ScoreRowsRequest, buf []byte, _ Progress) (any, []byte, error) {
		return e.scoreRows(ctx, p, buf)
	}),
	protocol.TypeCompress: handler(func(e *Engine, ctx context.Context, p protocol.CompressRequest, _ []byte, pr Progress) (any, []byte, error) {
		r, err := e.compress(ctx, p, pr)
		return r, nil, err
	}),
}

// Handle runs one request. payload is the request's JSON; buf its bulk bytes.
// It returns the result payload and optional bytes. A panic becomes an error.
func (e *Engine) Handle(ctx context.Context, typ string, payload []byte, buf []byte, progress Progress) (res any, out []byte, err error) {
	defer internalError(typ, &err)
	h, ok := handlers[typ]
	if !ok {
		return nil, nil, fmt.Errorf("unknown request type %q", typ)
	}
	return h(e, ctx, typ, payload, buf, progress)
}

// Predict is Handle's predict for a request read without JSON
// (predict_js.go).
func (e *Engine) Predict(ctx context.Context, p protocol.PredictRequest) (res *protocol.PredictResult, err error) {
	defer internalError(protocol.TypePredict, &err)
	return e.predict(ctx, p)
}

// internalError turns a handler's panic into its error, deferred.
func internalError(typ string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error in %s: %v\n%s", typ, r, debug.Stack())
	}
}

// tick yields to JS when ~50 ms have passed since the last yield and
// reports whether ctx is done. Yielding this often costs no measurable
// throughput (main_js.go's yield is a message to itself, well under a
// millisecond); at 100 ms a cancel waited for every other pause point of a
// thesis-shape batch (cancel latency is in BENCHMARKS.md).
func (e *Engine) tick(ctx context.Context) error {
	if e.Yield != nil && time.Since(e.lastYield) > yieldEvery {
		e.Yield()
		e.lastYield = time.Now()
	}
	return ctx.Err()
}

const yieldEvery = 50 * time.Millisecond

// flush lets messages just posted to helpers leave: a worker's message to
// the workers it started is delivered only once the sender's task ends
// (measured in Chromium 156: a message posted before 200 ms of work
// arrived 200 ms later), so without a yield here a helper started its
// share at this engine's next pause, up to 50 ms into its own.
func (e *Engine) flush() {
	if e.Yield != nil {
		e.Yield()
		e.lastYield = time.Now()
	}
}

// pause is tick as core/lab's Pause hook.
func (e *Engine) pause(ctx context.Context) func() error {
	return func() error { return e.tick(ctx) }
}

func (e *Engine) variant(name string) (*variant, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.variants[name]; ok {
		return v, nil
	}
	var have []string
	for n := range e.variants {
		have = append(have, n)
	}
	sort.Strings(have)
	if len(have) == 0 {
		return nil, fmt.Errorf("no model %q: train or import a model first", name)
	}
	return nil, fmt.Errorf("no model %q (have %v)", name, have)
}

func (e *Engine) putVariant(v *variant) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.variants[v.Name] = v
}

// uniqueName returns name, or name-2, name-3, ... if taken.
func (e *Engine) uniqueName(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.variants[name]; !ok {
		return name
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s-%d", name, i)
		if _, ok := e.variants[n]; !ok {
			return n
		}
	}
}
