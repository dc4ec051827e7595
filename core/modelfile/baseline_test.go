package modelfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sentilab/core/baseline"
)

// smallBaseline is a tfidf-logreg model of five n-grams.
func smallBaseline(t testing.TB) *baseline.Model {
	t.Helper()
	m, err := baseline.New(baseline.Config{Tokens: baseline.TokensSklearn, NGramMin: 1, NGramMax: 2, Sublinear: true},
		[]string{"great", "bad", "not good", "movie", "waste of"},
		[]float32{1.2, 1.5, 2.25, 1, 3},
		[]float32{2.5, -3, -1.75, 0.125, -4},
		0.5)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func smallBaselineFile(t testing.TB) []byte {
	t.Helper()
	f, err := EncodeBaseline(smallBaseline(t), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	return encodeBytes(t, f)
}

func TestBaselineRoundTrip(t *testing.T) {
	m := smallBaseline(t)
	b := smallBaselineFile(t)
	l, err := LoadBaseline(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := l.Model
	if got.Config != m.Config || !reflect.DeepEqual(got.Terms, m.Terms) || !reflect.DeepEqual(got.IDF, m.IDF) ||
		!reflect.DeepEqual(got.Weights, m.Weights) || got.Bias != m.Bias {
		t.Fatalf("round trip changed the model:\n got %+v\nwant %+v", got, m)
	}
	if l.Meta.Variant != "base" || l.Meta.Metrics["test_accuracy"] != 0.8643 || l.Meta.Provenance != testMeta.Provenance ||
		l.Meta.Extra["note"] != testMeta.Extra["note"] {
		t.Errorf("meta %+v, want %+v", l.Meta, testMeta)
	}
	if want := baseline.TokensDescription(baseline.TokensSklearn); l.Meta.Preprocessing != want {
		t.Errorf("preprocessing %q, want %q", l.Meta.Preprocessing, want)
	}
	// The loaded model predicts exactly as the saved one.
	for _, r := range []string{"A great movie.", "Bad, not good: a waste of time.", ""} {
		if a, b := m.Logit(r), got.Logit(r); a != b {
			t.Errorf("%q: logit %v after loading, %v before", r, b, a)
		}
	}
	// The header is what the package doc promises.
	var h map[string]json.RawMessage
	if err := json.Unmarshal([]byte(header(b)), &h); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{TensorIDF, TensorLogRegW, TensorLogRegBias} {
		if _, ok := h[name]; !ok {
			t.Errorf("no tensor %q in the header", name)
		}
	}
	f, _ := Parse(b)
	var cfg map[string]any
	json.Unmarshal([]byte(f.Metadata[KeyConfig]), &cfg)
	want := map[string]any{"kind": "tfidf-logreg", "tokens": "sklearn", "ngram_min": 1.0, "ngram_max": 2.0, "sublinear_tf": true,
		"idf": "smooth", "norm": "l2", "vocab": 5.0, "preprocessing": baseline.TokensDescription("sklearn")}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config %v\nwant %v", cfg, want)
	}
}

// A weight stored as F16 or sparse decodes like any LSTM weight.
func TestBaselineOtherEncodings(t *testing.T) {
	m := smallBaseline(t)
	V := len(m.Terms)
	for name, w := range map[string][]Tensor{
		"f16":    {F16Tensor(TensorLogRegW, []int{V}, m.Weights)},
		"sparse": SparseF32(TensorLogRegW, []float32{2.5, 0, -1.75, 0, -4}),
	} {
		ts := append([]Tensor{F32Tensor(TensorIDF, []int{V}, m.IDF), F32Tensor(TensorLogRegBias, []int{1}, []float32{m.Bias})}, w...)
		f, err := NewBaselineFile(m, Meta{Variant: "baseline-" + name}, ts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		l, err := DecodeBaseline(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "sparse" && (l.Model.Weights[1] != 0 || l.Model.Weights[4] != -4) {
			t.Errorf("sparse weights %v", l.Model.Weights)
		}
		if name == "f16" && !reflect.DeepEqual(l.Model.Weights, m.Weights) { // all exact in F16
			t.Errorf("f16 weights %v, want %v", l.Model.Weights, m.Weights)
		}
	}
}

func TestKindDispatch(t *testing.T) {
	dir := t.TempDir()
	lstm, base := filepath.Join(dir, "lstm.safetensors"), filepath.Join(dir, "base.safetensors")
	os.WriteFile(lstm, smallFile(t), 0o644)
	os.WriteFile(base, smallBaselineFile(t), 0o644)
	if l, lb, err := LoadAnyFile(lstm); err != nil || l == nil || lb != nil {
		t.Errorf("LoadAnyFile(lstm) = %v, %v, %v", l, lb, err)
	}
	if l, lb, err := LoadAnyFile(base); err != nil || l != nil || lb == nil {
		t.Errorf("LoadAnyFile(baseline) = %v, %v, %v", l, lb, err)
	}
	// Each decoder refuses the other kind and says what to use instead.
	if _, err := LoadFile(base); err == nil || !strings.Contains(err.Error(), "a tfidf-logreg model (the TF-IDF baseline), not an LSTM") {
		t.Errorf("LoadFile(baseline): %v", err)
	}
	f, _ := Parse(smallFile(t))
	if _, err := DecodeBaseline(f); err == nil || !strings.Contains(err.Error(), "a lstm model, not tfidf-logreg") {
		t.Errorf("DecodeBaseline(lstm): %v", err)
	}
}

// editBaseline returns the small baseline file with its metadata or tensors
// changed by edit, as a bad writer might produce it.
func editBaseline(t *testing.T, edit func(f *File)) *File {
	t.Helper()
	f, err := Parse(smallBaselineFile(t))
	if err != nil {
		t.Fatal(err)
	}
	md := map[string]string{}
	for k, v := range f.Metadata {
		md[k] = v
	}
	f.Metadata = md
	f.Tensors = append([]Tensor(nil), f.Tensors...)
	edit(f)
	return f
}

func setConfig(key string, v any) func(f *File) {
	return func(f *File) {
		var c map[string]any
		json.Unmarshal([]byte(f.Metadata[KeyConfig]), &c)
		c[key] = v
		b, _ := json.Marshal(c)
		f.Metadata[KeyConfig] = string(b)
	}
}

func setVocab(terms ...string) func(f *File) {
	return func(f *File) { b, _ := json.Marshal(terms); f.Metadata[KeyVocab] = string(b) }
}

func setTensor(t Tensor) func(f *File) {
	return func(f *File) {
		for i := range f.Tensors {
			if f.Tensors[i].Name == t.Name {
				f.Tensors[i] = t
				return
			}
		}
		f.Tensors = append(f.Tensors, t)
	}
}

func TestBaselineRefusesBadFiles(t *testing.T) {
	nan := float32(0)
	nan = nan / nan
	for _, c := range []struct {
		name, want string
		edit       func(f *File)
	}{
		{"format", `format "sentilab/0"`, func(f *File) { f.Metadata[KeyFormat] = "sentilab/0" }},
		{"kind", `kind "svm"`, setConfig("kind", "svm")},
		{"unknown key", `unknown field "stopwords"`, setConfig("stopwords", true)},
		{"idf", `idf "plain"`, setConfig("idf", "plain")},
		{"norm", `norm "l1"`, setConfig("norm", "l1")},
		{"tokens", `tokenization "nltk"`, setConfig("tokens", "nltk")},
		{"trigrams", `n-gram range [1, 3]`, setConfig("ngram_max", 3)},
		{"vocab over limit", `vocab 2000001, want 1 to 2000000`, setConfig("vocab", 2_000_001)},
		{"vocab count", `metadata vocab has 4 n-grams, config says 5`, setVocab("a", "b", "c", "d")},
		{"duplicate term", `term 4 "bad" appears twice`, setVocab("great", "bad", "not good", "movie", "bad")},
		{"trigram term", `term 4 "waste of time": want 1 to 2 non-empty words`, setVocab("great", "bad", "not good", "movie", "waste of time")},
		{"empty word", `term 2 "not ": want 1 to 2`, setVocab("great", "bad", "not ", "movie", "waste of")},
		{"idf shape", `tensor "tfidf.idf": shape [4], want [5]`, setTensor(F32Tensor(TensorIDF, []int{4}, make([]float32, 4)))},
		{"idf zero", `term 0 "great": idf 0, want a finite number > 0`, setTensor(F32Tensor(TensorIDF, []int{5}, []float32{0, 1, 1, 1, 1}))},
		{"nan weight", `tensor "logreg.weight": element 2 is NaN`, setTensor(F32Tensor(TensorLogRegW, []int{5}, []float32{1, 2, nan, 4, 5}))},
		{"u8 weight", `tensor "logreg.weight": dtype U8 cannot hold weights`, setTensor(U8Tensor(TensorLogRegW, []int{5}, make([]byte, 5)))},
		{"extra tensor", `unexpected tensor(s) ["lstm.kernel"]`, setTensor(F32Tensor("lstm.kernel", []int{1}, []float32{1}))},
		{"missing bias", `missing tensor "logreg.bias"`, func(f *File) { f.Tensors = f.Tensors[:2] }},
		{"metrics", `metadata "metrics"`, func(f *File) { f.Metadata[KeyMetrics] = `{"acc": "high"}` }},
	} {
		f := editBaseline(t, c.edit)
		_, err := DecodeBaseline(f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		// Written out and read back, the file is refused the same way.
		var b bytes.Buffer
		if Write(&b, f) == nil {
			if _, err2 := LoadBaseline(&b, int64(b.Len())); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("%s: from bytes: %v, want %v", c.name, err2, err)
			}
		}
	}
}

// FuzzReadBaseline: whatever the bytes, reading and decoding a baseline
// either works or errs, never panics; a file that decodes encodes back to
// one that decodes to the same model.
func FuzzReadBaseline(f *testing.F) {
	f.Add(smallBaselineFile(f))
	f.Add(smallFile(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		Kind(file)
		Decode(file)
		l, err := DecodeBaseline(file)
		if err != nil {
			return
		}
		again, err := EncodeBaseline(l.Model, l.Meta)
		if err != nil {
			t.Fatalf("a decoded baseline does not encode: %v", err)
		}
		l2, err := DecodeBaseline(again)
		if err != nil {
			t.Fatalf("re-encoded baseline does not decode: %v", err)
		}
		if !reflect.DeepEqual(l2.Model.Terms, l.Model.Terms) || !reflect.DeepEqual(l2.Model.Weights, l.Model.Weights) {
			t.Fatalf("re-encoding changed the model")
		}
	})
}
