package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// Version is reported in the ready message.
const Version = "sentilab-engine/1"

// Engine holds one worker's state: the loaded reviews, their cleaned texts
// (cleaned once, shared by EDA, training and evaluation) and the models.
type Engine struct {
	// Yield gives the JS event loop a turn; nil natively. Long loops call
	// e.tick, which calls Yield at most about every 100 ms.
	Yield func()
	// Fetch returns the bytes at a URL (the worker's fetch); nil natively.
	Fetch func(url string) ([]byte, error)

	// NewPeers starts n helper engines for data-parallel training (other
	// Web Workers); nil means training runs in this engine only.
	NewPeers func(n int) ([]Peer, error)

	mu        sync.Mutex
	peers     []Peer
	helper    *helperState // set when this engine is a helper
	dataName  string
	reviews   []data.Review
	cleaned   []string // text.Clean of reviews[i]; nil until first needed
	variants  map[string]*variant
	lastYield time.Time
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
	Kind    string // "base", "imported", ...
	Preset  string
	Seed    uint64
	Metrics *train.Metrics
	History []train.Epoch
	Data    string                 // data hash the model was trained on
	Enc     compress.EncodeOptions // how its model file stores the weights
	// Q is the int8 runtime (compress.QModel) of a variant stored as int8:
	// it scores and predicts with int8 products, as TFLite would, not with
	// Model, which holds the dequantized weights (for export and charts).
	Q     *compress.QModel
	split splitSpec // the data split it was trained and scored on
}

// NewEngine returns an empty engine.
func NewEngine() *Engine { return &Engine{variants: map[string]*variant{}} }

// Progress reports intermediate results of a request.
type Progress func(payload any)

// Handle runs one request. payload is the request's JSON; buf its bulk bytes.
// It returns the result payload and optional bytes. A panic becomes an error.
func (e *Engine) Handle(ctx context.Context, typ string, payload []byte, buf []byte, progress Progress) (res any, out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in %s: %v\n%s", typ, r, debug.Stack())
		}
	}()
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	dec := func(v any) error {
		if err := json.Unmarshal(payload, v); err != nil {
			return fmt.Errorf("%s: bad payload: %v", typ, err)
		}
		return nil
	}
	switch typ {
	case "loadData":
		var p loadReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.loadData(ctx, p, buf, progress)
	case "eda":
		res, err = e.eda(ctx, progress)
	case "train":
		var p trainReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.train(ctx, p, progress)
	case "evaluate":
		var p evalReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.evaluate(ctx, p, progress)
	case "predict":
		var p predictReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.predict(ctx, p)
	case "presets":
		res = presetList()
	case "variants":
		res = map[string]any{"variants": e.infos()}
	case "inspect":
		var p nameReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.inspect(p.Variant)
	case "exportModel":
		var p nameReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, out, err = e.exportModel(p.Variant)
	case "importModel":
		var p importReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.importModel(p, buf)
	case "shardInit":
		var p shardInitReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.shardInit(p, buf)
	case "shardStep":
		var p shardStepReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, out, err = e.shardStep(ctx, p, buf)
	case "compress":
		var p compressReq
		if err := dec(&p); err != nil {
			return nil, nil, err
		}
		res, err = e.compress(ctx, p, progress)
	default:
		err = fmt.Errorf("unknown request type %q", typ)
	}
	return res, out, err
}

// tick yields to JS when ~100 ms have passed since the last yield and
// reports whether ctx is done. Measured in STACK.md: yielding this often
// costs no throughput and lets a cancel land in 88-148 ms.
func (e *Engine) tick(ctx context.Context) error {
	if e.Yield != nil && time.Since(e.lastYield) > 100*time.Millisecond {
		e.Yield()
		e.lastYield = time.Now()
	}
	return ctx.Err()
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
