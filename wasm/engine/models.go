package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"sentilab/core/baseline"
	"sentilab/core/compress"
	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

func (e *Engine) info(v *variant) *protocol.VariantInfo {
	if v.B != nil {
		return e.baselineInfo(v)
	}
	v.sized.Do(func() {
		v.fileBytes, v.nonZero = -1, compress.NonZero(v.Model)
		if f, err := v.file(); err == nil {
			v.fileBytes, _ = modelfile.Size(f)
		}
	})
	runtime := lab.RuntimeFloat32
	if v.Q != nil {
		runtime = lab.RuntimeInt8
	}
	info := &protocol.VariantInfo{Name: v.Name, Kind: v.Kind, Preset: v.Preset, Config: lab.ConfigJSON(v.Model.Cfg), Params: v.Model.NumParams(),
		NonZero: v.nonZero, FileBytes: v.fileBytes, Metrics: v.Metrics, History: v.History, Storage: string(v.Enc.Values), Sparse: v.Enc.Sparse,
		Runtime: runtime, MetricsData: v.MetricsData}
	e.mu.Lock()
	info.Evaluation, info.OOD = v.Eval, v.OOD
	e.mu.Unlock()
	if v.fp != nil {
		info.Fingerprints, info.FingerprintBytes = v.fp.Len(), int64(v.fp.Size())
	}
	return info
}

// meta is the variant's model file metadata: what `lab train` and `lab
// compress` record, so a file exported here reads like one of theirs.
func (v *variant) meta() modelfile.Meta {
	mt := map[string]float64{}
	if v.Metrics != nil {
		mt["test_accuracy"] = v.Metrics.Accuracy
		mt["test_loss"] = v.Metrics.Loss
		if v.Metrics.N > 0 {
			mt["test_n"] = float64(v.Metrics.N)
		}
	}
	extra := lab.SplitMeta(v.split)
	if v.Preset != "" {
		extra[lab.KeyPreset] = v.Preset
	}
	if len(v.Steps) > 0 {
		extra[compress.KeyPipeline] = compress.PipelineJSON(v.Steps)
	}
	if v.Workers > 0 {
		extra[lab.KeyWorkers] = strconv.Itoa(v.Workers)
	}
	return modelfile.Meta{Variant: v.Chain, Preprocessing: "thesis", Metrics: mt, Extra: extra, Fingerprints: v.fp,
		Provenance: modelfile.Provenance{Seed: v.Seed, DataHash: v.Data, Command: provenanceCommand(v), Time: time.Now().UTC().Format(time.RFC3339)}}
}

// provenanceCommand says how the model was made, with the worker count
// that, beside the seed, fixes its bits (the command line's --workers).
func provenanceCommand(v *variant) string {
	c := "sentilab browser lab, preset " + v.Preset
	if v.Workers > 0 {
		c += fmt.Sprintf(", %d Web Worker(s) (lab train --workers %d)", v.Workers, v.Workers)
	}
	return c
}

func (e *Engine) infos() []*protocol.VariantInfo {
	e.mu.Lock()
	vs := make([]*variant, 0, len(e.variants))
	for _, v := range e.variants {
		vs = append(vs, v)
	}
	e.mu.Unlock()
	sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
	out := make([]*protocol.VariantInfo, len(vs))
	for i, v := range vs {
		out[i] = e.info(v)
	}
	return out
}

// evaluate scores a variant on the test split of the loaded data (its own
// split, or the request's seed and test share), split into the reviews it
// was trained on and the rest: a slice of the data splits differently from
// the data the model was trained on, so its "test" reviews can be training
// reviews (issue 10). The variant's own Metrics, from its training or its
// file, are kept: the reply is its Evaluation, saying which data it is.
func (e *Engine) evaluate(ctx context.Context, p protocol.EvaluateRequest, progress Progress) (*protocol.Evaluation, error) {
	v, err := e.variant(p.Variant)
	if err != nil {
		return nil, err
	}
	sp := v.split
	if p.Seed != 0 {
		sp.Seed = p.Seed
	}
	if p.TestFrac != 0 {
		sp.TestFrac = p.TestFrac
	}
	if v.B != nil {
		return e.evaluateBaseline(ctx, v, sp, progress)
	}
	corpus, t, err := e.split(ctx, sp, progress)
	if err != nil {
		return nil, err
	}
	set, err := train.Encode(v.Tok, t.TestX, t.TestY, v.Model.Cfg)
	if err != nil {
		return nil, err
	}
	raw := make([]string, len(t.TestIndex))
	for k, i := range t.TestIndex {
		raw[k] = corpus.Reviews[i].Text
	}
	z, err := e.logits(ctx, v, set, p.Workers, p.Act7, progress)
	if err != nil {
		return nil, err
	}
	training := lab.TrainingOf(v.fp, v.split, v.Data, corpus)
	ev, err := lab.ScoreSeen(z, set.Labels, raw, training, e.testData(sp))
	if err != nil {
		return nil, err
	}
	ev.Act7 = p.Act7 && v.Q != nil
	e.mu.Lock()
	v.Eval = ev
	e.mu.Unlock()
	return ev, nil
}

// testData says which reviews of the loaded data sp tests on.
func (e *Engine) testData(sp lab.SplitSpec) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return sp.Describe(len(e.reviews)) + " of " + e.dataName
}

// predict scores one raw review with each variant. With explain, each
// distinct word (up to 40) is removed in turn: the change in probability is
// how much that word moved the score.
func (e *Engine) predict(ctx context.Context, p protocol.PredictRequest) (*protocol.PredictResult, error) {
	if strings.TrimSpace(p.Text) == "" {
		return nil, errors.New("predict: the review is empty")
	}
	names := p.Variants
	if len(names) == 0 {
		for _, i := range e.infos() {
			names = append(names, i.Name)
		}
	}
	if len(names) == 0 {
		return nil, errors.New("predict: no model yet: train or import one first")
	}
	cleaned := text.Clean(p.Text)
	var out []protocol.Prediction
	for _, n := range names {
		v, err := e.variant(n)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		var prob float64
		if v.B != nil {
			// The baseline reads the raw review (its own tokens).
			prob = baseline.Sigmoid(v.B.Logit(p.Text))
		} else if prob, err = probability(v, cleaned, p.Act7); err != nil {
			return nil, err
		}
		pr := protocol.Prediction{Variant: n, Probability: prob, MS: float64(time.Since(t0).Microseconds()) / 1000, Label: "negative", Act7: p.Act7 && v.Q != nil}
		if prob >= 0.5 {
			pr.Label = "positive"
		}
		if p.Explain && v.B != nil {
			pr.Words = baselineEffects(v.B, p.Text)
		}
		if p.Explain && v.B == nil {
			words := strings.Fields(cleaned)
			seen := map[string]bool{}
			for _, w := range words {
				if seen[w] || len(seen) >= 40 {
					continue
				}
				seen[w] = true
				if err := e.tick(ctx); err != nil {
					return nil, err
				}
				var rest []string
				for _, x := range words {
					if x != w {
						rest = append(rest, x)
					}
				}
				q, err := probability(v, strings.Join(rest, " "), p.Act7)
				if err != nil {
					return nil, err
				}
				pr.Words = append(pr.Words, protocol.WordEffect{Word: w, Delta: prob - q})
			}
			sort.SliceStable(pr.Words, func(i, j int) bool { return math.Abs(pr.Words[i].Delta) > math.Abs(pr.Words[j].Delta) })
			if len(pr.Words) > 10 {
				pr.Words = pr.Words[:10]
			}
		}
		out = append(out, pr)
	}
	return &protocol.PredictResult{Cleaned: cleaned, Results: out}, nil
}

// probability is v's P(positive) for a cleaned review; act7: an int8
// model's 7-bit hidden state (core/compress/act7.go).
func probability(v *variant, cleaned string, act7 bool) (float64, error) {
	set, err := train.Encode(v.Tok, []string{cleaned}, []float32{0}, v.Model.Cfg)
	if err != nil {
		return 0, err
	}
	var z float32
	if v.Q != nil {
		ws := int8Workspaces.Get().(*compress.QWorkspace)
		ws.Act7 = act7
		z = v.Q.Logits(set.Tokens, 1, ws)[0]
		int8Workspaces.Put(ws)
	} else {
		v.tableOnce.Do(func() { v.table = nn.NewInputTable(v.Model, kernels.Default()) })
		ws := floatWorkspaces.Get().(*nn.Workspace)
		ws.SetTable(v.table)
		z = ws.Forward(v.Model, set.Tokens, 1, nil)[0]
		ws.SetTable(nil)
		floatWorkspaces.Put(ws)
	}
	return float64(kernels.Sigmoid(z)), nil
}

// The workspaces of one-review predictions, reused: a fresh one per review
// allocated ~0.5 MB at the fast preset's shape, which at the engine's GOGC
// (main_js.go) brought a collection of the whole heap every few dozen
// predictions. A workspace serves any model (its buffers are resized).
var (
	floatWorkspaces = sync.Pool{New: func() any { return nn.NewWorkspace(nn.Config{}, kernels.Default()) }}
	int8Workspaces  = sync.Pool{New: func() any { return new(compress.QWorkspace) }}
)

// inspect returns per-tensor sparsity and a 60-bin weight histogram.
func (e *Engine) inspect(name string) (*protocol.InspectResult, error) {
	v, err := e.variant(name)
	if err != nil {
		return nil, err
	}
	var ts []protocol.TensorInfo
	for _, p := range v.params() {
		ti := protocol.TensorInfo{Name: p.Name, Shape: p.Shape, Count: len(p.W), Min: math.Inf(1), Max: math.Inf(-1)}
		for _, w := range p.W {
			if w == 0 {
				ti.Zeros++
			}
			ti.Min = math.Min(ti.Min, float64(w))
			ti.Max = math.Max(ti.Max, float64(w))
		}
		// As its file stores it: an int8 matrix's codes over the whole
		// tensor, not its dequantized values (up to 255 per scale group).
		ti.Distinct = compress.Distinct(p, v.Enc, 1000)
		const bins = 60
		lo, hi := ti.Min, ti.Max
		if hi <= lo {
			hi = lo + 1
		}
		ti.Counts = make([]int, bins)
		for i := 0; i <= bins; i++ {
			ti.Edges = append(ti.Edges, lo+(hi-lo)*float64(i)/bins)
		}
		for _, w := range p.W {
			k := int((float64(w) - lo) / (hi - lo) * bins)
			ti.Counts[min(max(k, 0), bins-1)]++
		}
		ts = append(ts, ti)
	}
	return &protocol.InspectResult{Variant: name, Tensors: ts}, nil
}

// exportModel writes a variant as a model file (core/modelfile).
func (e *Engine) exportModel(name string) (*protocol.ExportResult, []byte, error) {
	v, err := e.variant(name)
	if err != nil {
		return nil, nil, err
	}
	b, err := v.encoded()
	if err != nil {
		return nil, nil, err
	}
	file := fmt.Sprintf("sentilab-%s.safetensors", name)
	return &protocol.ExportResult{Name: name, Filename: file, Size: len(b)}, b, nil
}

// encoded is v's model file, written out in a buffer of its exact size
// (modelfile.Bytes): the page exports every model it trains, to keep it.
func (v *variant) encoded() ([]byte, error) {
	f, err := v.file()
	if err != nil {
		return nil, err
	}
	return modelfile.Bytes(f)
}

// maxModelFetch bounds a model file fetched by URL: the largest the lab
// ships (the thesis shape) is 11 MB.
const maxModelFetch = 256 << 20

// fetchAll reads a URL's whole body (a model file) into one buffer of its
// size: io.ReadAll would grow it by doubling, to twice the file in a wasm
// memory that never gives back what it grew to.
func fetchAll(fetch func(string) (io.ReadCloser, int64, error), url string) ([]byte, error) {
	body, size, err := fetch(url)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	if size > maxModelFetch {
		return nil, fmt.Errorf("fetch %s: %d bytes, more than a model file's %d", url, size, maxModelFetch)
	}
	if size < 0 {
		b, err := io.ReadAll(io.LimitReader(body, maxModelFetch+1))
		if err == nil && len(b) > maxModelFetch {
			err = fmt.Errorf("more than a model file's %d bytes", maxModelFetch)
		}
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %v", url, err)
		}
		return b, nil
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(body, b); err != nil {
		return nil, fmt.Errorf("fetch %s: %d bytes announced: %v", url, size, err)
	}
	return b, nil
}

// importModel reads a model file; the model file reader validates it.
func (e *Engine) importModel(p protocol.ImportRequest, buf []byte) (*protocol.VariantInfo, error) {
	name := p.Name
	if buf == nil && p.URL != "" {
		if e.Fetch == nil {
			return nil, errors.New("importModel: fetching a url is only possible in the browser")
		}
		b, err := fetchAll(e.Fetch, p.URL)
		if err != nil {
			return nil, err
		}
		buf = b
	}
	if len(buf) == 0 {
		return nil, errors.New("importModel: no file bytes")
	}
	if p.SHA256 != "" {
		if sum := sha256.Sum256(buf); hex.EncodeToString(sum[:]) != strings.ToLower(p.SHA256) {
			return nil, fmt.Errorf("importModel: %s: SHA-256 %x, the manifest says %s", p.URL, sum, p.SHA256)
		}
	}
	f, err := modelfile.Read(bytes.NewReader(buf), int64(len(buf)))
	if err != nil {
		return nil, err
	}
	if kind, err := modelfile.Kind(f); err != nil {
		return nil, err
	} else if kind == modelfile.KindTFIDFLogReg {
		lb, err := modelfile.DecodeBaseline(f)
		if err != nil {
			return nil, err
		}
		return e.importBaseline(name, lb)
	}
	ld, err := modelfile.Decode(f)
	if err != nil {
		return nil, err
	}
	tok, err := text.NewTokenizerFromVocab(ld.Vocab)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = ld.Meta.Variant
	}
	if name == "" {
		name = "imported"
	}
	if r := []rune(name); len(r) > 80 { // a file's name for itself is shown and used as an id by the page
		name = string(r[:80])
	}
	split, err := lab.SplitOf(ld.Meta)
	if err != nil {
		return nil, err
	}
	steps, err := compress.ReadPipeline(ld.Meta.Extra[compress.KeyPipeline])
	if err != nil {
		return nil, err
	}
	v := &variant{Name: e.uniqueName(name), Model: ld.Model, Tok: tok, Kind: "imported", Chain: ld.Meta.Variant, Steps: steps,
		Preset: ld.Meta.Extra[lab.KeyPreset], Seed: split.Seed, Data: ld.Meta.Provenance.DataHash, Enc: lab.Encoding(ld.File), split: split,
		fp: ld.Meta.Fingerprints}
	if v.Chain == "" {
		v.Chain = lab.ChainName(nil)
	}
	// The worker count comes back with the file, so a restored lab
	// re-exports the same file.
	if w, err := strconv.Atoi(ld.Meta.Extra[lab.KeyWorkers]); err == nil && w > 0 && w <= 256 {
		v.Workers = w
	}
	if lab.Runtime(v.Chain) == lab.RuntimeInt8 {
		if v.Q, err = compress.NewQModel(ld); err != nil {
			return nil, err
		}
	}
	if acc, ok := ld.Meta.Metrics["test_accuracy"]; ok {
		v.Metrics = &train.Metrics{Accuracy: acc, Loss: ld.Meta.Metrics["test_loss"]}
		v.MetricsData = "the file's recorded test score"
		if n := ld.Meta.Metrics["test_n"]; n > 0 {
			v.Metrics.N = int(n) // kept, so a re-export writes the same metadata
			v.MetricsData += fmt.Sprintf(" (%s test reviews of the data it was trained on)", lab.Count(int(n)))
		}
	}
	e.putVariant(v)
	return e.info(v), nil
}

// deleteVariant forgets a model, so a class can clear what it no longer
// wants (a 7×7 grid makes 49 students). An unknown name is an error naming
// the models there are; the page deletes the model's saved file itself.
func (e *Engine) deleteVariant(name string) (*protocol.DeleteResult, error) {
	if _, err := e.variant(name); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.variants, name)
	left := make([]string, 0, len(e.variants))
	for n := range e.variants {
		left = append(left, n)
	}
	sort.Strings(left)
	return &protocol.DeleteResult{Deleted: name, Left: left}, nil
}
