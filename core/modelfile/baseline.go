package modelfile

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"sentilab/core/baseline"
)

// Model kinds, the config's "kind" key. An LSTM file's config has no kind
// (it predates kinds), so a missing kind means KindLSTM.
const (
	KindLSTM        = "lstm"
	KindTFIDFLogReg = "tfidf-logreg"
)

// Tensor names of a tfidf-logreg file.
const (
	TensorIDF        = "tfidf.idf"     // F32 [V]: smooth idf of each vocabulary n-gram
	TensorLogRegW    = "logreg.weight" // [V]: one weight per n-gram, any dense or sparse encoding
	TensorLogRegBias = "logreg.bias"   // [1]
)

// baselineConfig is the config metadata of a tfidf-logreg file: every
// choice that changes what the weights mean, so another program can
// recompute the features (see the package doc).
type baselineConfig struct {
	Kind string `json:"kind"` // KindTFIDFLogReg
	baseline.Config
	IDF           string `json:"idf"`   // "smooth": ln((1+n)/(1+df)) + 1
	Norm          string `json:"norm"`  // "l2": each review's row scaled to unit length
	Vocab         int    `json:"vocab"` // number of n-grams
	Preprocessing string `json:"preprocessing"`
}

// Kind returns the kind of model f holds, from its config's "kind" key
// (KindLSTM when there is none), without decoding anything else.
func Kind(f *File) (string, error) {
	var k struct {
		Kind *string `json:"kind"`
	}
	s, ok := f.Metadata[KeyConfig]
	if !ok {
		return "", fmt.Errorf("modelfile: missing metadata %q", KeyConfig)
	}
	if err := json.Unmarshal([]byte(s), &k); err != nil {
		return "", fmt.Errorf("modelfile: metadata %q: %v", KeyConfig, err)
	}
	if k.Kind == nil {
		return KindLSTM, nil
	}
	switch *k.Kind {
	case KindLSTM, KindTFIDFLogReg:
		return *k.Kind, nil
	}
	return "", fmt.Errorf("modelfile: metadata %q: kind %q, want %q or %q", KeyConfig, *k.Kind, KindLSTM, KindTFIDFLogReg)
}

// LoadedBaseline is a decoded tfidf-logreg file.
type LoadedBaseline struct {
	Model *baseline.Model
	Meta  Meta
	File  *File
}

// EncodeBaseline stores m as a tfidf-logreg file: the vocabulary in the
// vocab metadata, idf, weights and bias as F32 tensors.
func EncodeBaseline(m *baseline.Model, meta Meta) (*File, error) {
	V := len(m.Terms)
	return NewBaselineFile(m, meta, []Tensor{
		F32Tensor(TensorIDF, []int{V}, m.IDF),
		F32Tensor(TensorLogRegW, []int{V}, m.Weights),
		F32Tensor(TensorLogRegBias, []int{1}, []float32{m.Bias}),
	})
}

// NewBaselineFile assembles a tfidf-logreg file from m's config and
// vocabulary and the given tensors (the weight may be in any encoding the
// package doc lists), then decodes it to check that it loads.
func NewBaselineFile(m *baseline.Model, meta Meta, tensors []Tensor) (*File, error) {
	md, err := commonMetadata(meta)
	if err != nil {
		return nil, err
	}
	md[KeyConfig] = mustJSON(baselineConfig{Kind: KindTFIDFLogReg, Config: m.Config, IDF: "smooth", Norm: "l2",
		Vocab: len(m.Terms), Preprocessing: baseline.TokensDescription(m.Config.Tokens)})
	md[KeyVocab] = mustJSON(m.Terms)
	f := &File{Metadata: md, Tensors: tensors}
	if _, err := DecodeBaseline(f); err != nil {
		return nil, err
	}
	return f, nil
}

// commonMetadata is the metadata every Sentilab file has besides its config
// and vocabulary: format, variant, metrics, provenance and Meta.Extra.
func commonMetadata(meta Meta) (map[string]string, error) {
	md := map[string]string{}
	for k, v := range meta.Extra {
		switch k {
		case KeyFormat, KeyConfig, KeyVocab, KeyVariant, KeyMetrics, KeyProvenance:
			return nil, fmt.Errorf("modelfile: Meta.Extra sets reserved key %q", k)
		}
		md[k] = v
	}
	md[KeyFormat] = Format
	md[KeyVariant] = meta.Variant
	metrics := meta.Metrics
	if metrics == nil {
		metrics = map[string]float64{}
	}
	for k, v := range metrics {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("modelfile: metric %q is %v; JSON holds only finite numbers", k, v)
		}
	}
	md[KeyMetrics] = mustJSON(metrics)
	md[KeyProvenance] = mustJSON(meta.Provenance)
	return md, nil
}

// DecodeBaseline turns a parsed tfidf-logreg file into a model. As Decode
// does for an LSTM, it refuses anything it cannot vouch for, with an error
// naming the key or tensor: another format or kind, an unknown config key
// or value, a vocabulary whose length differs from the config's or that
// holds a malformed or repeated n-gram, a tensor of the wrong shape or
// dtype, a missing or extra tensor, a non-finite weight or a non-positive
// idf. The config's size is checked against baseline.MaxTerms before any
// tensor is decoded.
func DecodeBaseline(f *File) (*LoadedBaseline, error) {
	for i := range f.Tensors {
		if err := f.Tensors[i].check(); err != nil {
			return nil, fmt.Errorf("modelfile: %v", err)
		}
	}
	md := f.Metadata
	if md[KeyFormat] != Format {
		if _, ok := md[KeyFormat]; !ok {
			return nil, fmt.Errorf("modelfile: no %q metadata: not a Sentilab model file", KeyFormat)
		}
		return nil, fmt.Errorf("modelfile: format %q, want %q", md[KeyFormat], Format)
	}
	if k, err := Kind(f); err != nil {
		return nil, err
	} else if k != KindTFIDFLogReg {
		return nil, fmt.Errorf("modelfile: a %s model, not %s (read it with Decode or LoadAnyFile)", k, KindTFIDFLogReg)
	}
	var fc baselineConfig
	if err := strictJSON(md, KeyConfig, &fc); err != nil {
		return nil, err
	}
	switch {
	case fc.Kind != KindTFIDFLogReg:
		return nil, fmt.Errorf("modelfile: metadata config: kind %q, want %q", fc.Kind, KindTFIDFLogReg)
	case fc.IDF != "smooth":
		return nil, fmt.Errorf("modelfile: metadata config: idf %q, want \"smooth\"", fc.IDF)
	case fc.Norm != "l2":
		return nil, fmt.Errorf("modelfile: metadata config: norm %q, want \"l2\"", fc.Norm)
	case fc.Vocab < 1 || fc.Vocab > baseline.MaxTerms:
		return nil, fmt.Errorf("modelfile: metadata config: vocab %d, want 1 to %d", fc.Vocab, baseline.MaxTerms)
	}
	if err := fc.Config.Validate(); err != nil {
		return nil, fmt.Errorf("modelfile: metadata config: %v", err)
	}
	l := &LoadedBaseline{File: f}
	var err error
	if l.Meta, err = decodeCommonMeta(md); err != nil {
		return nil, err
	}
	l.Meta.Preprocessing = fc.Preprocessing
	var terms []string
	if err := strictJSON(md, KeyVocab, &terms); err != nil {
		return nil, err
	}
	if len(terms) != fc.Vocab {
		return nil, fmt.Errorf("modelfile: metadata vocab has %d n-grams, config says %d", len(terms), fc.Vocab)
	}
	d := newDecoder(f)
	var w [3][]float32
	for i, p := range []struct {
		name  string
		shape []int
	}{{TensorIDF, []int{fc.Vocab}}, {TensorLogRegW, []int{fc.Vocab}}, {TensorLogRegBias, []int{1}}} {
		if w[i], err = d.dense(p.name, p.shape); err != nil {
			return nil, fmt.Errorf("modelfile: %v", err)
		}
		if j := firstNonFinite(w[i]); j >= 0 {
			return nil, fmt.Errorf("modelfile: tensor %q: element %d is %v; weights must be finite", p.name, j, w[i][j])
		}
	}
	var extra []string
	for _, t := range f.Tensors {
		if !d.used[t.Name] {
			extra = append(extra, t.Name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("modelfile: unexpected tensor(s) %q: not part of a %s model", extra, KindTFIDFLogReg)
	}
	if l.Model, err = baseline.New(fc.Config, terms, w[0], w[1], w[2][0]); err != nil {
		return nil, fmt.Errorf("modelfile: %v", err)
	}
	return l, nil
}

// decodeCommonMeta reads variant, metrics, provenance and the other keys.
func decodeCommonMeta(md map[string]string) (Meta, error) {
	m := Meta{Variant: md[KeyVariant]}
	if _, ok := md[KeyMetrics]; ok {
		if err := strictJSON(md, KeyMetrics, &m.Metrics); err != nil {
			return m, err
		}
	}
	if _, ok := md[KeyProvenance]; ok {
		if err := strictJSON(md, KeyProvenance, &m.Provenance); err != nil {
			return m, err
		}
	}
	for k, v := range md {
		switch k {
		case KeyFormat, KeyConfig, KeyVocab, KeyVariant, KeyMetrics, KeyProvenance:
		default:
			if m.Extra == nil {
				m.Extra = map[string]string{}
			}
			m.Extra[k] = v
		}
	}
	return m, nil
}

// LoadBaseline reads and decodes a tfidf-logreg file of size bytes.
func LoadBaseline(r io.Reader, size int64) (*LoadedBaseline, error) {
	f, err := Read(r, size)
	if err != nil {
		return nil, err
	}
	return DecodeBaseline(f)
}

// LoadAnyFile reads the model file at path once and decodes it by its
// kind: exactly one of the two results is non-nil when err is nil.
func LoadAnyFile(path string) (*Loaded, *LoadedBaseline, error) {
	f, err := readFile(path)
	if err != nil {
		return nil, nil, err
	}
	kind, err := Kind(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if kind == KindTFIDFLogReg {
		lb, err := DecodeBaseline(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, lb, nil
	}
	l, err := Decode(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil, nil
}

// readFile reads and parses the regular file at path.
func readFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fi.Mode().Type())
	}
	f, err := Read(fh, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}
