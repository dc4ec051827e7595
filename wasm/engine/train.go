package main

import (
	"context"
	"fmt"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// trainReq is a preset with optional overrides (0 / nil = the preset's).
type trainReq struct {
	Preset     string   `json:"preset"`
	Name       string   `json:"name"`
	Epochs     int      `json:"epochs"`
	BatchSize  int      `json:"batch_size"`
	LR         float64  `json:"lr"`
	ValSplit   *float64 `json:"val_split"`
	Seed       uint64   `json:"seed"`
	TrainLimit *int     `json:"train_limit"`
	TestFrac   float64  `json:"test_frac"`
	Vocab      int      `json:"vocab"`
	Embed      int      `json:"embed"`
	Hidden     int      `json:"hidden"`
	MaxLen     int      `json:"max_len"`
	Masking    *bool    `json:"masking"`
	Dropout    *float32 `json:"dropout"`
	// Workers is the number of Web Workers computing each batch's gradient
	// (this one and Workers−1 helpers); 0 or 1 = this one alone.
	Workers int `json:"workers"`
	// MaxBatches stops each epoch after this many batches (0 = all): for
	// benchmarks at the full model shape without a full epoch.
	MaxBatches int `json:"max_batches"`
	// Chunk is the number of examples per gradient chunk (0 = sized so one
	// chunk takes ~100 ms); the engine yields to JS between chunks.
	Chunk int `json:"chunk"`
}

// resolve applies the overrides to the preset.
func (p trainReq) resolve() (lab.Preset, uint64, error) {
	if p.Preset == "" {
		p.Preset = "classroom"
	}
	ps, err := lab.LookupPreset(p.Preset)
	if err != nil {
		return ps, 0, err
	}
	setInt := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setInt(&ps.Epochs, p.Epochs)
	setInt(&ps.BatchSize, p.BatchSize)
	setInt(&ps.Model.Vocab, p.Vocab)
	setInt(&ps.Model.Embed, p.Embed)
	setInt(&ps.Model.Hidden, p.Hidden)
	setInt(&ps.Model.MaxLen, p.MaxLen)
	if p.LR != 0 {
		ps.LR = p.LR
	}
	if p.ValSplit != nil {
		ps.ValSplit = *p.ValSplit
	}
	if p.TrainLimit != nil {
		ps.TrainLimit = *p.TrainLimit
	}
	if p.TestFrac != 0 {
		ps.TestFrac = p.TestFrac
	}
	if p.Masking != nil {
		ps.Model.Masking = *p.Masking
	}
	if p.Dropout != nil {
		ps.Model.Dropout = *p.Dropout
	}
	seed := p.Seed
	if seed == 0 {
		seed = 42
	}
	if err := ps.Model.Validate(); err != nil {
		return ps, 0, err
	}
	return ps, seed, nil
}

type trainRes struct {
	Variant string         `json:"variant"`
	History []train.Epoch  `json:"history"`
	Test    *train.Metrics `json:"test"`
	Seconds float64        `json:"seconds"`
	EPS     float64        `json:"examples_per_sec"`
	Params  int            `json:"params"`
	Train   int            `json:"train_rows"`
	Config  nn.Config      `json:"config"`
	Info    *variantInfo   `json:"info"`
}

// splitCleaned is data.Split on the cleaned texts: the same permutation, so
// the same reviews land in test as with train.Prepare.
func splitCleaned(reviews []data.Review, cleaned []string, testFrac float64, seed uint64) (trX, teX []string, trY, teY []float32, err error) {
	n := len(reviews)
	nTest := int(ceil(testFrac * float64(n)))
	if !(testFrac > 0 && testFrac < 1) || nTest == 0 || nTest >= n {
		return nil, nil, nil, nil, fmt.Errorf("split: %d reviews at test fraction %v leave no training or no test rows", n, testFrac)
	}
	for i, j := range data.Permutation(n, seed) {
		x, y := cleaned[j], float32(reviews[j].Label)
		if i < n-nTest {
			trX, trY = append(trX, x), append(trY, y)
		} else {
			teX, teY = append(teX, x), append(teY, y)
		}
	}
	return trX, teX, trY, teY, nil
}

func ceil(x float64) float64 {
	i := float64(int64(x))
	if i < x {
		return i + 1
	}
	return i
}

func (e *Engine) train(ctx context.Context, p trainReq, progress Progress) (*trainRes, error) {
	ps, seed, err := p.resolve()
	if err != nil {
		return nil, err
	}
	reviews, cleaned, err := e.dataset(ctx, progress)
	if err != nil {
		return nil, err
	}
	trX, teX, trY, teY, err := splitCleaned(reviews, cleaned, ps.TestFrac, seed)
	if err != nil {
		return nil, err
	}
	if ps.TrainLimit < 0 {
		return nil, fmt.Errorf("training subset size %d is negative", ps.TrainLimit)
	}
	if ps.TrainLimit > 0 && ps.TrainLimit < len(trX) {
		trX, trY = trX[:ps.TrainLimit], trY[:ps.TrainLimit]
	}
	progress(map[string]any{"phase": "tokenize", "train_rows": len(trX), "test_rows": len(teX)})
	tok := text.FitTokenizer(trX, ps.Model.Vocab)
	if n := tok.NumWords(); n < ps.Model.Vocab {
		// A small corpus has fewer words than num_words: rows past them
		// would never train, and the model file wants one word per row.
		ps.Model.Vocab = n
	}
	trainSet, err := train.Encode(tok, trX, trY, ps.Model)
	if err != nil {
		return nil, err
	}
	testSet, err := train.Encode(tok, teX, teY, ps.Model)
	if err != nil {
		return nil, err
	}
	if err := e.tick(ctx); err != nil {
		return nil, err
	}
	m, err := nn.NewModel(ps.Model)
	if err != nil {
		return nil, err
	}
	nn.Init(m, seed)
	opt := fitOptions{Epochs: ps.Epochs, BatchSize: ps.BatchSize, ValSplit: ps.ValSplit, LR: ps.LR, Seed: seed, Chunk: p.Chunk, Workers: max(1, p.Workers), MaxBatches: p.MaxBatches}
	res, err := e.fit(ctx, m, trainSet, opt, progress)
	if err != nil {
		return nil, err
	}
	test, err := e.metrics(ctx, m, testSet, progress)
	if err != nil {
		return nil, err
	}
	name := p.Name
	if name == "" {
		name = "base"
	}
	v := &variant{Name: name, Model: m, Tok: tok, Kind: "trained", Preset: ps.Name, Seed: seed, Metrics: test, History: res.History,
		Enc: compress.EncodeOptions{Values: compress.StoreF32}, split: splitSpec{Seed: seed, TestFrac: ps.TestFrac, TrainLimit: ps.TrainLimit}}
	e.putVariant(v)
	return &trainRes{Variant: name, History: res.History, Test: test, Seconds: res.Seconds, EPS: res.ExamplesPerSec,
		Params: m.NumParams(), Train: trainSet.N, Config: ps.Model, Info: e.info(v)}, nil
}

// metrics evaluates m on set in small batches, yielding between them.
func (e *Engine) metrics(ctx context.Context, m *nn.Model, set train.Set, progress Progress) (*train.Metrics, error) {
	bs := chunkFor(m.Cfg, 0) * 2
	return train.Evaluate(ctx, m, set, train.EvalOptions{BatchSize: bs, Workers: 1, Kernels: nn.DefaultKernels(),
		Progress: func(done, total int) {
			e.tick(ctx)
			if progress != nil {
				progress(map[string]any{"phase": "evaluate", "done": done, "total": total})
			}
		}})
}

// variantMetrics scores v on set with the runtime it ships with: the int8
// runtime for an int8 variant, the float model otherwise.
func (e *Engine) variantMetrics(ctx context.Context, v *variant, set train.Set, progress Progress) (*train.Metrics, error) {
	if v.Q == nil {
		return e.metrics(ctx, v.Model, set, progress)
	}
	T := v.Q.Cfg.MaxLen
	if len(set.Tokens) != set.N*T || len(set.Labels) != set.N {
		return nil, fmt.Errorf("evaluation set: %d rows, %d tokens, %d labels (want tokens = rows × max length %d)", set.N, len(set.Tokens), len(set.Labels), T)
	}
	bs := chunkFor(v.Q.Cfg, 0)
	logits := make([]float32, set.N)
	var ws compress.QWorkspace
	for lo := 0; lo < set.N; lo += bs {
		if err := e.tick(ctx); err != nil {
			return nil, err
		}
		hi := min(lo+bs, set.N)
		copy(logits[lo:hi], v.Q.Logits(set.Tokens[lo*T:hi*T], hi-lo, &ws))
		if progress != nil {
			progress(map[string]any{"phase": "evaluate", "done": hi, "total": set.N})
		}
	}
	return train.MetricsOf(logits, set.Labels), nil
}

// chunkFor sizes a gradient chunk to ~100 ms of work at ~2 GFLOP/s (the
// portable kernel's speed, STACK.md): a training example costs about
// 6·T·(E+H)·4H FLOPs (forward + backward of the LSTM's matmuls). It never
// goes below 8: the recurrent matmul has one row per example of the chunk,
// and at the thesis shape chunks of 2 ran at half the speed of chunks of 8
// (portable kernel, Node 20). The chunk also picks the dropout seeds, so it
// stays fixed whatever the kernel; with the SIMD kernel (~40 GFLOP/s) a
// chunk of 8 at the thesis shape takes ~30 ms, and a cancel lands within
// about 100 ms (bench.mjs: 69-99 ms).
func chunkFor(c nn.Config, override int) int {
	if override > 0 {
		return override
	}
	flops := 6.0 * float64(c.MaxLen) * float64(c.Embed+c.Hidden) * 4 * float64(c.Hidden)
	n := int(2e8 / flops)
	return max(8, min(n, 64))
}

// presetJSON is a preset flattened for the UI's form.
type presetJSON struct {
	Name       string  `json:"name"`
	About      string  `json:"about"`
	Epochs     int     `json:"epochs"`
	BatchSize  int     `json:"batch_size"`
	LR         float64 `json:"lr"`
	ValSplit   float64 `json:"val_split"`
	TestFrac   float64 `json:"test_frac"`
	TrainLimit int     `json:"train_limit"`
	nn.Config
}

func presetList() map[string]any {
	var out []presetJSON
	for _, n := range lab.PresetNames() {
		p, _ := lab.LookupPreset(n)
		out = append(out, presetJSON{Name: p.Name, About: p.About, Epochs: p.Epochs, BatchSize: p.BatchSize, LR: p.LR,
			ValSplit: p.ValSplit, TestFrac: p.TestFrac, TrainLimit: p.TrainLimit, Config: p.Model})
	}
	// kernel: "simd128", or "portable" in a browser without WebAssembly
	// SIMD, where everything computes several times slower.
	return map[string]any{"presets": out, "kernel": nn.DefaultKernels().Name}
}
