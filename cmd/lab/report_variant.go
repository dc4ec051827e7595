package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"sentilab/core/baseline"
	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/protocol"
)

// modelFile is a decoded model file of a folder lab report and lab
// manifest list: an LSTM (ld, with its tokenizer) or the TF-IDF baseline
// (lb), so the two commands treat the baseline as one more variant.
type modelFile struct {
	path string
	ld   *modelfile.Loaded
	tok  *text.Tokenizer
	lb   *modelfile.LoadedBaseline
}

// decodeModelFile decodes a model file's bytes by its kind.
func decodeModelFile(path string, raw []byte) (*modelFile, error) {
	f, err := modelfile.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	kind, err := modelfile.Kind(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	mf := &modelFile{path: path}
	if kind == modelfile.KindTFIDFLogReg {
		if mf.lb, err = modelfile.DecodeBaseline(f); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return mf, nil
	}
	if mf.ld, err = modelfile.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return mf, nil
}

// tokenizer is an LSTM's tokenizer, built when scoring needs it.
func (m *modelFile) tokenizer() (*text.Tokenizer, error) {
	if m.tok == nil {
		tok, err := text.NewTokenizerFromVocab(m.ld.Vocab)
		if err != nil {
			return nil, fmt.Errorf("%s: vocab: %w", m.path, err)
		}
		m.tok = tok
	}
	return m.tok, nil
}

func (m *modelFile) meta() modelfile.Meta {
	if m.lb != nil {
		return m.lb.Meta
	}
	return m.ld.Meta
}

func (m *modelFile) file() *modelfile.File {
	if m.lb != nil {
		return m.lb.File
	}
	return m.ld.File
}

// kind is the protocol's kind: empty for an LSTM.
func (m *modelFile) kind() string {
	if m.lb != nil {
		return modelfile.KindTFIDFLogReg
	}
	return ""
}

// params counts the baseline's n-gram weights and its bias.
func (m *modelFile) params() (params, nonzero int) {
	if m.lb == nil {
		return m.ld.Model.NumParams(), compress.NonZero(m.ld.Model)
	}
	b := m.lb.Model
	for _, w := range b.Weights {
		if w != 0 {
			nonzero++
		}
	}
	if b.Bias != 0 {
		nonzero++
	}
	return len(b.Weights) + 1, nonzero
}

// speed is reviews/s of inference on one goroutine. The baseline's includes
// its tokenization (it reads raw text); an LSTM's starts from token ids.
func (m *modelFile) speed(seconds float64) (float64, error) {
	if m.lb == nil {
		return inferSpeed(m.ld, seconds)
	}
	reviews := baselineBenchReviews(m.lb.Model, 256, rand.New(rand.NewPCG(3, 4)))
	best := math.Inf(1)
	for t0 := time.Now(); time.Since(t0).Seconds() < seconds; {
		b0 := time.Now()
		m.lb.Model.Logits(reviews)
		best = min(best, time.Since(b0).Seconds())
	}
	return float64(len(reviews)) / best, nil
}

// rawWordsPerToken is how many words a raw review has for each token the
// LSTM's cleaning keeps (stopwords and punctuation go): benchLengths draws
// cleaned lengths (median 94), and the Kaggle reviews' raw median is 174.
const rawWordsPerToken = 174.0 / 94

// baselineBenchReviews makes n raw reviews of the model's own words for
// the baseline's speed: lengths as benchLengths's, in raw words, and words
// drawn by a Zipf law over their frequency (the lowest idf first), as in
// text, so that the common short words dominate. Measured on the default
// model against 2,560 real test reviews (2026-11-30, a busy machine):
// 1,185 characters a review on average against the real 1,319, and
// reviews/s within the machine's noise (4,000–11,300 against 5,800–10,100).
func baselineBenchReviews(m *baseline.Model, n int, rng *rand.Rand) []string {
	var words []int
	for i, t := range m.Terms {
		if !strings.Contains(t, " ") {
			words = append(words, i)
		}
	}
	if len(words) < 2 {
		return slices.Repeat([]string{"film"}, n)
	}
	sort.SliceStable(words, func(a, b int) bool { return m.IDF[words[a]] < m.IDF[words[b]] })
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(words)-1))
	out := make([]string, n)
	for i, l := range benchLengths(n, 1<<20, rng) {
		var b strings.Builder
		for j := 0; j < int(float64(l)*rawWordsPerToken); j++ {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(m.Terms[words[zipf.Uint64()]])
		}
		out[i] = b.String()
	}
	return out
}

// testMetrics scores the model on its own test split of corpus (its
// metadata's seed and test share), refusing data it was not trained on. For
// an LSTM the score is also split by the model's training reviews (ev: the
// thesis's permutation split tests on 133 of them); ev is nil for the
// baseline.
func (m *modelFile) testMetrics(ctx context.Context, corpus lab.Corpus, workers int) (mt *train.Metrics, ev *protocol.Evaluation, err error) {
	if m.lb == nil {
		tok, err := m.tokenizer()
		if err != nil {
			return nil, nil, err
		}
		_, test, err := splitData(m.ld, tok, corpus)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", m.path, err)
		}
		sp, _ := lab.SplitOf(m.ld.Meta) // splitData checked it
		texts, err := corpus.TestTexts(sp)
		if err != nil {
			return nil, nil, err
		}
		q, err := runtimeOf(m.ld)
		if err != nil {
			return nil, nil, err
		}
		ev, err := lab.EvaluateSeen(ctx, m.ld.Model, q, test, texts, lab.TrainingOf(m.ld.Meta.Fingerprints, sp, m.ld.Meta.Provenance.DataHash, corpus),
			sp.Describe(len(corpus.Reviews)), lab.EvalOptions{Workers: workers})
		if err != nil {
			return nil, nil, err
		}
		return ev.Metrics, ev, nil
	}
	sp, err := lab.SplitOf(m.lb.Meta)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", m.path, err)
	}
	trainR, testR, err := splitReviews(corpus.Reviews, sp.TestFrac, sp.Seed, sp.Rule)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", m.path, err)
	}
	if s, ok := m.lb.Meta.Extra["train_n"]; ok { // lab baseline --train-size
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > len(trainR) {
			return nil, nil, fmt.Errorf("%s: metadata train_n %q: want a whole number from 0 to %d (the training split)", m.path, s, len(trainR))
		}
		trainR = data.First(trainR, n)
	}
	if h := m.lb.Meta.Provenance.DataHash; h != "" && data.Hash(trainR) != h {
		return nil, nil, fmt.Errorf("%s: the training reviews (seed %d, test_frac %v, %s rule) hash to %s, the model's provenance says %s: not the data it was trained on",
			m.path, sp.Seed, sp.TestFrac, sp.Rule, data.Hash(trainR), h)
	}
	mt, err = m.metricsOn(ctx, testR, workers)
	return mt, nil, err
}

// metricsOn scores the model on every review given (an out-of-domain set),
// a block at a time: the whole set padded to max_len could be large.
func (m *modelFile) metricsOn(ctx context.Context, reviews []data.Review, workers int) (*train.Metrics, error) {
	xs, ys := data.TextsLabels(reviews)
	labels := data.FloatLabels(ys)
	if m.lb != nil {
		return train.MetricsOf(m.lb.Model.Logits(xs), labels), nil
	}
	tok, err := m.tokenizer()
	if err != nil {
		return nil, err
	}
	q, err := runtimeOf(m.ld)
	if err != nil {
		return nil, err
	}
	const block = 4096
	logits := make([]float32, 0, len(xs))
	for lo := 0; lo < len(xs); lo += block {
		hi := min(lo+block, len(xs))
		set, err := train.EncodeRaw(tok, xs[lo:hi], labels[lo:hi], m.ld.Model.Cfg)
		if err != nil {
			return nil, err
		}
		z, err := lab.Logits(ctx, m.ld.Model, q, set, lab.EvalOptions{Workers: workers})
		if err != nil {
			return nil, err
		}
		logits = append(logits, z...)
	}
	return train.MetricsOf(logits, labels), nil
}

// readModelFile reads and decodes the model file at path.
func readModelFile(path string) (*modelFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeModelFile(path, raw)
}
