package modelfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"sentilab/core/fingerprint"
	"sentilab/core/nn"
)

// Format is the value of the format metadata key of every Sentilab file.
const Format = "sentilab/1"

// Metadata keys of a Sentilab file.
const (
	KeyFormat     = "format"
	KeyConfig     = "config"
	KeyVocab      = "vocab"
	KeyVariant    = "variant"
	KeyMetrics    = "metrics"
	KeyProvenance = "provenance"
)

// Meta is what a model file says about its model besides the weights.
type Meta struct {
	Variant       string             // "base", "int8", "float16", "pruned", "student", ...
	Preprocessing string             // name of the text pipeline, stored in the config
	Metrics       map[string]float64 // e.g. "test_accuracy": 0.8643
	Provenance    Provenance
	Extra         map[string]string // other __metadata__ keys, kept verbatim
	// Fingerprints, if set, are the model's training reviews, stored as
	// the U8 tensor TensorFingerprints: evaluation recognises them in any
	// data later (core/lab.Training).
	Fingerprints *fingerprint.Set
}

// TensorFingerprints is the U8 tensor that holds Meta.Fingerprints
// (fingerprint.Set's encoding): about 108 KB for 40,000 reviews.
const TensorFingerprints = "train.fingerprints"

// Provenance records how a model was made.
type Provenance struct {
	Seed     uint64 `json:"seed"`
	DataHash string `json:"data_hash,omitempty"` // data.Hash of the training reviews
	Command  string `json:"command,omitempty"`
	Time     string `json:"time,omitempty"` // RFC 3339, UTC
}

// fileConfig is the config metadata: nn.Config's fields plus the name of
// the preprocessing, in one flat JSON object.
type fileConfig struct {
	nn.Config
	Preprocessing string `json:"preprocessing"`
}

// Loaded is a decoded model file.
type Loaded struct {
	Model *nn.Model // dense float32 weights, whatever the file's encoding
	Vocab []string  // index order: Vocab[i] is the word of token i
	Meta  Meta
	File  *File // the container as read: per-tensor dtypes and sizes
}

// Encode stores m's weights as F32 tensors, with vocab and meta.
func Encode(m *nn.Model, vocab []string, meta Meta) (*File, error) {
	var ts []Tensor
	for _, p := range m.Params() {
		ts = append(ts, F32Tensor(p.Name, p.Shape, p.W))
	}
	return NewFile(m.Cfg, vocab, meta, ts)
}

// NewFile assembles a model file from tensors in any encoding the package
// doc lists (what the compression package produces), then decodes it to
// check that it loads: a file NewFile returns is one Load accepts.
func NewFile(cfg nn.Config, vocab []string, meta Meta, tensors []Tensor) (*File, error) {
	if err := cfg.CheckBudget(nn.DefaultBudget); err != nil {
		return nil, fmt.Errorf("modelfile: %v", err)
	}
	if len(vocab) != cfg.Vocab {
		return nil, fmt.Errorf("modelfile: vocabulary has %d words, config says %d", len(vocab), cfg.Vocab)
	}
	md, err := commonMetadata(meta)
	if err != nil {
		return nil, err
	}
	md[KeyConfig] = mustJSON(fileConfig{cfg, meta.Preprocessing})
	md[KeyVocab] = mustJSON(vocab)
	if meta.Fingerprints != nil {
		for _, t := range tensors {
			if t.Name == TensorFingerprints {
				return nil, fmt.Errorf("modelfile: tensor %q given twice (as a tensor and as Meta.Fingerprints)", TensorFingerprints)
			}
		}
		b := meta.Fingerprints.Encode()
		tensors = append(tensors[:len(tensors):len(tensors)], U8Tensor(TensorFingerprints, []int{len(b)}, b))
	}
	f := &File{Metadata: md, Tensors: tensors}
	if _, err := Decode(f); err != nil {
		return nil, err
	}
	return f, nil
}

func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only plain structs, strings and finite numbers get here
	}
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}

// Save writes m as a dense F32 model file.
func Save(w io.Writer, m *nn.Model, vocab []string, meta Meta) error {
	f, err := Encode(m, vocab, meta)
	if err != nil {
		return err
	}
	return Write(w, f)
}

// Load reads and decodes a model file of size bytes.
func Load(r io.Reader, size int64) (*Loaded, error) {
	f, err := Read(r, size)
	if err != nil {
		return nil, err
	}
	return Decode(f)
}

// Decode turns a parsed file into a model. It requires format sentilab/1, a
// config nn.Config accepts and that fits nn.DefaultBudget (unknown config
// keys refused: they could change what the weights mean), a vocabulary of exactly config.vocab words, every
// weight present with the shape the config implies, and finite weights
// (NaN or ±Inf, e.g. from a diverged run or a float16 overflow, would make
// every prediction meaningless, so it is refused, naming the tensor and
// element). A tensor that is not part of the model is refused too: it may
// be an encoding a newer version writes and this one would silently
// misread.
func Decode(f *File) (*Loaded, error) {
	for i := range f.Tensors {
		// A File built in memory has not been through Parse.
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
	if k, err := Kind(f); err == nil && k != KindLSTM {
		return nil, fmt.Errorf("modelfile: a %s model (the TF-IDF baseline), not an LSTM: this command reads LSTM files only (lab eval and lab predict read both)", k)
	}
	var fc fileConfig
	if err := strictJSON(md, KeyConfig, &fc); err != nil {
		return nil, err
	}
	// The budget, before any weight is decoded: a header is only a claim,
	// and an edited one (max_len 100000, or embed = hidden = 4096 over a
	// sparse, nearly empty file) must be refused here, not by the OOM
	// killer at the first batch.
	if err := fc.Config.CheckBudget(nn.DefaultBudget); err != nil {
		return nil, fmt.Errorf("modelfile: metadata config: %v", err)
	}
	l := &Loaded{File: f, Meta: Meta{Variant: md[KeyVariant], Preprocessing: fc.Preprocessing}}
	if err := strictJSON(md, KeyVocab, &l.Vocab); err != nil {
		return nil, err
	}
	if len(l.Vocab) != fc.Vocab {
		return nil, fmt.Errorf("modelfile: metadata vocab has %d words, config says %d", len(l.Vocab), fc.Vocab)
	}
	if _, ok := md[KeyMetrics]; ok {
		if err := strictJSON(md, KeyMetrics, &l.Meta.Metrics); err != nil {
			return nil, err
		}
	}
	if _, ok := md[KeyProvenance]; ok {
		if err := strictJSON(md, KeyProvenance, &l.Meta.Provenance); err != nil {
			return nil, err
		}
	}
	for k, v := range md {
		switch k {
		case KeyFormat, KeyConfig, KeyVocab, KeyVariant, KeyMetrics, KeyProvenance:
		default:
			if l.Meta.Extra == nil {
				l.Meta.Extra = map[string]string{}
			}
			l.Meta.Extra[k] = v
		}
	}

	// Decode every weight before allocating the model: a config may claim
	// a 4-million-word vocabulary, but only tensors the file really holds
	// get decoded, and the model is allocated only once they all fit it.
	shapes := (&nn.Model{Cfg: fc.Config}).Params() // names and shapes; W nil
	weights := make([][]float32, len(shapes))
	d := newDecoder(f)
	for i, p := range shapes {
		w, err := d.dense(p.Name, p.Shape)
		if err != nil {
			return nil, fmt.Errorf("modelfile: %v", err)
		}
		if j := firstNonFinite(w); j >= 0 {
			return nil, fmt.Errorf("modelfile: tensor %q: element %d is %v; weights must be finite", p.Name, j, w[j])
		}
		weights[i] = w
	}
	if t := d.take(TensorFingerprints); t != nil {
		if t.DType != "U8" || len(t.Shape) != 1 {
			return nil, fmt.Errorf("modelfile: tensor %q: %s %v, want U8 [bytes]", t.Name, t.DType, t.Shape)
		}
		fp, err := fingerprint.Decode(t.Data)
		if err != nil {
			return nil, fmt.Errorf("modelfile: tensor %q: %v", t.Name, err)
		}
		l.Meta.Fingerprints = fp
	}
	var extra []string
	for _, t := range f.Tensors {
		if !d.used[t.Name] {
			extra = append(extra, t.Name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("modelfile: unexpected tensor(s) %q: not part of a %s model (or a second encoding of a weight)", extra, Format)
	}
	m, err := nn.NewModel(fc.Config)
	if err != nil {
		return nil, fmt.Errorf("modelfile: %v", err)
	}
	for i, p := range m.Params() {
		copy(p.W, weights[i])
	}
	l.Model = m
	return l, nil
}

// strictJSON decodes metadata key k into v, refusing unknown fields and
// trailing data.
func strictJSON(md map[string]string, k string, v any) error {
	s, ok := md[k]
	if !ok {
		return fmt.Errorf("modelfile: missing metadata %q", k)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("modelfile: metadata %q: %v", k, err)
	}
	if dec.More() {
		return fmt.Errorf("modelfile: metadata %q: data after the JSON value", k)
	}
	return nil
}
