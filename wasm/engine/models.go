package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"sentilab/core/compress"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

type nameReq struct {
	Variant string `json:"variant"`
	Name    string `json:"name"`
}

// variantInfo is what the Compare step shows of a model.
type variantInfo struct {
	Name      string         `json:"name"`
	Kind      string         `json:"kind"`
	Preset    string         `json:"preset,omitempty"`
	Config    nn.Config      `json:"config"`
	Params    int            `json:"params"`
	NonZero   int            `json:"nonzero"`
	FileBytes int64          `json:"file_bytes"`
	Metrics   *train.Metrics `json:"metrics,omitempty"`
	History   []train.Epoch  `json:"history,omitempty"`
	Storage   string         `json:"storage"` // f32, f16 or int8
	Sparse    bool           `json:"sparse"`  // zeros stored as a bit mask
	Runtime   string         `json:"runtime"` // "float32", or "int8": compress.QModel's int8 products
}

func (e *Engine) info(v *variant) *variantInfo {
	nz := 0
	for _, p := range v.Model.Params() {
		for _, w := range p.W {
			if w != 0 {
				nz++
			}
		}
	}
	size := int64(-1)
	if f, err := v.file(nil); err == nil {
		size, _ = modelfile.Size(f)
	}
	runtime := "float32"
	if v.Q != nil {
		runtime = "int8"
	}
	return &variantInfo{Name: v.Name, Kind: v.Kind, Preset: v.Preset, Config: v.Model.Cfg, Params: v.Model.NumParams(),
		NonZero: nz, FileBytes: size, Metrics: v.Metrics, History: v.History, Storage: string(v.Enc.Values), Sparse: v.Enc.Sparse,
		Runtime: runtime}
}

func (v *variant) meta() modelfile.Meta {
	mt := map[string]float64{}
	if v.Metrics != nil {
		mt["test_accuracy"] = v.Metrics.Accuracy
		mt["test_loss"] = v.Metrics.Loss
	}
	kind := map[string]string{"trained": "base", "imported": "base", "int8": "int8", "f16": "float16", "prune": "pruned", "distill": "student"}[v.Kind]
	if kind == "" {
		kind = v.Kind
	}
	return modelfile.Meta{Variant: kind, Preprocessing: "thesis", Metrics: mt,
		Provenance: modelfile.Provenance{Seed: v.Seed, Command: "sentilab browser lab, preset " + v.Preset,
			Time: time.Now().UTC().Format(time.RFC3339)}}
}

func (e *Engine) infos() []*variantInfo {
	e.mu.Lock()
	vs := make([]*variant, 0, len(e.variants))
	for _, v := range e.variants {
		vs = append(vs, v)
	}
	e.mu.Unlock()
	sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
	out := make([]*variantInfo, len(vs))
	for i, v := range vs {
		out[i] = e.info(v)
	}
	return out
}

type evalReq struct {
	Variant  string  `json:"variant"`
	Seed     uint64  `json:"seed"`
	TestFrac float64 `json:"test_frac"`
}

// evaluate scores a variant on the test split of the loaded data.
func (e *Engine) evaluate(ctx context.Context, p evalReq, progress Progress) (*train.Metrics, error) {
	v, err := e.variant(p.Variant)
	if err != nil {
		return nil, err
	}
	if p.Seed == 0 {
		p.Seed = v.Seed
	}
	if p.Seed == 0 {
		p.Seed = 42
	}
	if p.TestFrac == 0 {
		p.TestFrac = 0.2
	}
	reviews, cleaned, err := e.dataset(ctx, progress)
	if err != nil {
		return nil, err
	}
	_, teX, _, teY, err := splitCleaned(reviews, cleaned, p.TestFrac, p.Seed)
	if err != nil {
		return nil, err
	}
	set, err := train.Encode(v.Tok, teX, teY, v.Model.Cfg)
	if err != nil {
		return nil, err
	}
	m, err := e.variantMetrics(ctx, v, set, progress)
	if err != nil {
		return nil, err
	}
	v.Metrics = m
	return m, nil
}

type predictReq struct {
	Text     string   `json:"text"`
	Variants []string `json:"variants"`
	Explain  bool     `json:"explain"`
}

type wordEffect struct {
	Word  string  `json:"word"`
	Delta float64 `json:"delta"` // probability with the word minus without it
}

type prediction struct {
	Variant     string       `json:"variant"`
	Probability float64      `json:"probability"`
	Label       string       `json:"label"`
	MS          float64      `json:"ms"`
	Words       []wordEffect `json:"words,omitempty"`
}

// predict scores one raw review with each variant. With explain, each
// distinct word (up to 40) is removed in turn: the change in probability is
// how much that word moved the score.
func (e *Engine) predict(ctx context.Context, p predictReq) (map[string]any, error) {
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
	var out []prediction
	for _, n := range names {
		v, err := e.variant(n)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		prob, err := probability(v, cleaned)
		if err != nil {
			return nil, err
		}
		pr := prediction{Variant: n, Probability: prob, MS: float64(time.Since(t0).Microseconds()) / 1000, Label: "negative"}
		if prob >= 0.5 {
			pr.Label = "positive"
		}
		if p.Explain {
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
				q, err := probability(v, strings.Join(rest, " "))
				if err != nil {
					return nil, err
				}
				pr.Words = append(pr.Words, wordEffect{Word: w, Delta: prob - q})
			}
			sort.SliceStable(pr.Words, func(i, j int) bool { return math.Abs(pr.Words[i].Delta) > math.Abs(pr.Words[j].Delta) })
			if len(pr.Words) > 10 {
				pr.Words = pr.Words[:10]
			}
		}
		out = append(out, pr)
	}
	return map[string]any{"cleaned": cleaned, "results": out}, nil
}

func probability(v *variant, cleaned string) (float64, error) {
	set, err := train.Encode(v.Tok, []string{cleaned}, []float32{0}, v.Model.Cfg)
	if err != nil {
		return 0, err
	}
	var z float32
	if v.Q != nil {
		z = v.Q.Logits(set.Tokens, 1, &compress.QWorkspace{})[0]
	} else {
		z = nn.NewWorkspace(v.Model.Cfg, nn.DefaultKernels()).Forward(v.Model, set.Tokens, 1, nil)[0]
	}
	return float64(nn.Sigmoid(z)), nil
}

type tensorInfo struct {
	Name   string    `json:"name"`
	Shape  []int     `json:"shape"`
	Count  int       `json:"count"`
	Zeros  int       `json:"zeros"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Edges  []float64 `json:"edges"`
	Counts []int     `json:"counts"`
	// Distinct counts distinct values (capped at 1,000): an int8 tensor
	// has at most 256 per scale group, a float32 one nearly one per weight.
	Distinct int `json:"distinct"`
}

// inspect returns per-tensor sparsity and a 60-bin weight histogram.
func (e *Engine) inspect(name string) (map[string]any, error) {
	v, err := e.variant(name)
	if err != nil {
		return nil, err
	}
	var ts []tensorInfo
	for _, p := range v.Model.Params() {
		ti := tensorInfo{Name: p.Name, Shape: p.Shape, Count: len(p.W), Min: math.Inf(1), Max: math.Inf(-1)}
		distinct := map[float32]bool{}
		for _, w := range p.W {
			if w == 0 {
				ti.Zeros++
			}
			ti.Min = math.Min(ti.Min, float64(w))
			ti.Max = math.Max(ti.Max, float64(w))
			if len(distinct) < 1000 {
				distinct[w] = true
			}
		}
		ti.Distinct = len(distinct)
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
	return map[string]any{"variant": name, "tensors": ts}, nil
}

// exportModel writes a variant as a model file (core/modelfile).
func (e *Engine) exportModel(name string) (map[string]any, []byte, error) {
	v, err := e.variant(name)
	if err != nil {
		return nil, nil, err
	}
	f, err := v.file(nil)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	if err := modelfile.Write(&b, f); err != nil {
		return nil, nil, err
	}
	file := fmt.Sprintf("sentilab-%s.safetensors", name)
	return map[string]any{"name": name, "filename": file, "size": b.Len()}, b.Bytes(), nil
}

type importReq struct {
	Name   string `json:"name"`
	URL    string `json:"url"`    // fetch the file (a pre-trained model) instead of buffer
	SHA256 string `json:"sha256"` // if set, the bytes must hash to it (the manifest's)
}

// importModel reads a model file; the model file reader validates it.
func (e *Engine) importModel(p importReq, buf []byte) (*variantInfo, error) {
	name := p.Name
	if buf == nil && p.URL != "" {
		if e.Fetch == nil {
			return nil, errors.New("importModel: fetching a url is only possible in the browser")
		}
		b, err := e.Fetch(p.URL)
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
	ld, err := modelfile.Load(bytes.NewReader(buf), int64(len(buf)))
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
	v := &variant{Name: e.uniqueName(name), Model: ld.Model, Tok: tok, Kind: "imported", Seed: ld.Meta.Provenance.Seed, Enc: encodingOf(ld.File)}
	if v.Enc.Values == compress.StoreInt8 {
		if v.Q, err = compress.NewQModel(ld); err != nil {
			return nil, err
		}
	}
	if acc, ok := ld.Meta.Metrics["test_accuracy"]; ok {
		v.Metrics = &train.Metrics{Accuracy: acc, Loss: ld.Meta.Metrics["test_loss"]}
	}
	e.putVariant(v)
	return e.info(v), nil
}
