package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sentilab/core/baseline"
	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// The baseline lesson (issue 13): a TF-IDF logistic regression trained
// here on the loaded data's training split, exactly as `lab baseline`
// trains it (core/baseline, the same split rule, seed and share), so the
// page's test accuracy is the command line's. It is a variant like the
// LSTMs (variant.B instead of variant.Model): listed, evaluated, scored
// out of domain, predicted, exported and imported as its model file.

// baselineVariant is the variant name of a baseline file ("baseline").
const baselineVariant = "baseline"

// baselineSplit is the request's split: `lab baseline`'s unless set.
func baselineSplit(p protocol.TrainBaselineRequest) (lab.SplitSpec, error) {
	sp := lab.SplitSpec{Seed: p.Seed, TestFrac: p.TestFrac, TrainLimit: p.TrainLimit, Rule: p.SplitRule}
	if sp.Seed == 0 {
		sp.Seed = lab.DefaultSeed
	}
	if sp.TestFrac == 0 {
		sp.TestFrac = 0.2
	}
	if sp.Rule == "" {
		sp.Rule = data.RuleGrouped
	}
	switch {
	case sp.Rule != data.RulePermutation && sp.Rule != data.RuleGrouped:
		return sp, fmt.Errorf("trainBaseline: split rule %q, want %s or %s", sp.Rule, data.RulePermutation, data.RuleGrouped)
	case !(sp.TestFrac > 0 && sp.TestFrac < 1):
		return sp, fmt.Errorf("trainBaseline: test fraction %v, want between 0 and 1", sp.TestFrac)
	case sp.TrainLimit < 0:
		return sp, fmt.Errorf("trainBaseline: train limit %d, want 0 (all) or more", sp.TrainLimit)
	}
	return sp, nil
}

// trainBaseline fits the baseline on the training split of the loaded
// reviews (their raw texts: the baseline tokenizes for itself) and scores
// it on the test split.
func (e *Engine) trainBaseline(ctx context.Context, p protocol.TrainBaselineRequest, progress Progress) (*protocol.TrainBaselineResult, error) {
	sp, err := baselineSplit(p)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	reviews := e.reviews
	e.mu.Unlock()
	if reviews == nil {
		return nil, errors.New("no data loaded: load a dataset first")
	}
	trainIdx, testIdx, err := data.SplitIndices(reviews, sp.TestFrac, sp.Seed, sp.Rule)
	if err != nil {
		return nil, err
	}
	if sp.TrainLimit > 0 && len(trainIdx) > sp.TrainLimit {
		trainIdx = trainIdx[:sp.TrainLimit]
	}
	trainR := gather(reviews, trainIdx)
	trainX, trainY := data.TextsLabels(trainR)
	testX, testY := data.TextsLabels(gather(reviews, testIdx))
	opt := baseline.Options{C: p.C, MaxTerms: p.MaxTerms, Workers: 1, Progress: func(pr baseline.Progress) {
		progress(protocol.BaselineProgress{Phase: protocol.PhaseBaseline, Stage: pr.Stage, Done: pr.Done, Total: pr.Total, Loss: pr.Loss})
		e.tick(ctx) // Train checks ctx itself; this lets a cancel message in
	}}
	if err := opt.Validate(); err != nil {
		return nil, fmt.Errorf("trainBaseline: %w", err)
	}
	t0 := time.Now()
	m, res, err := baseline.Train(ctx, trainX, trainY, opt)
	if err != nil {
		return nil, err
	}
	seconds := time.Since(t0).Seconds()
	t1 := time.Now()
	z, err := e.baselineLogits(ctx, m, testX, progress)
	if err != nil {
		return nil, err
	}
	evalSec := time.Since(t1).Seconds()
	mt := train.MetricsOf(z, data.FloatLabels(testY))
	name := p.Name
	if name == "" {
		name = baselineVariant
	}
	c := p.C
	if c == 0 {
		c = baseline.DefaultC
	}
	maxTerms := p.MaxTerms
	if maxTerms == 0 {
		maxTerms = baseline.DefaultMaxTerms
	}
	rps := float64(len(testX)) / max(evalSec, 1e-9)
	extra := lab.SplitMeta(sp)
	extra["train_n"], extra["c"], extra["min_df"], extra["max_terms"] = fmt.Sprint(len(trainR)), fmt.Sprint(c), fmt.Sprint(baseline.DefaultMinDF), fmt.Sprint(maxTerms)
	extra["fit"], extra["confusion"] = jsonString(res), jsonString(mt.Confusion)
	meta := modelfile.Meta{Variant: baselineVariant,
		Metrics: map[string]float64{"test_accuracy": mt.Accuracy, "test_loss": mt.Loss, "test_n": float64(mt.N),
			"train_seconds": seconds, "eval_reviews_per_second": rps},
		Provenance: modelfile.Provenance{Seed: sp.Seed, DataHash: data.Hash(trainR),
			Command: "sentilab browser lab, TF-IDF baseline", Time: time.Now().UTC().Format(time.RFC3339)},
		Extra: extra}
	v := &variant{Name: name, B: m, Kind: "trained", Chain: baselineVariant, Seed: sp.Seed, Metrics: mt, Data: meta.Provenance.DataHash,
		split: sp, MetricsData: e.testData(sp), bmeta: meta}
	if err := v.sizeBaseline(); err != nil {
		return nil, err
	}
	e.putVariant(v)
	pos, neg := m.TopWeights(10)
	return &protocol.TrainBaselineResult{Variant: name, Info: e.info(v), Test: mt, TrainRows: len(trainR), Terms: res.Terms, Iterations: res.Iterations,
		Seconds: seconds, VocabSeconds: res.VocabSeconds, FeaturesSeconds: res.FeaturesSeconds, FitSeconds: res.FitSeconds,
		EvalSeconds: evalSec, ReviewsPerSec: rps, TopPositive: termWeights(pos), TopNegative: termWeights(neg)}, nil
}

// baselineLogits scores raw reviews with m, yielding to JS and reporting
// progress every block.
func (e *Engine) baselineLogits(ctx context.Context, m *baseline.Model, xs []string, progress Progress) ([]float32, error) {
	const block = 256
	z := make([]float32, 0, len(xs))
	for lo := 0; lo < len(xs); lo += block {
		if err := e.tick(ctx); err != nil {
			return nil, err
		}
		progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: lo, Total: len(xs)})
		z = append(z, m.Logits(xs[lo:min(lo+block, len(xs))])...)
	}
	progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: len(xs), Total: len(xs)})
	return z, nil
}

// sizeBaseline encodes the baseline's file once to know its size (a 4 MB
// vocabulary is not re-encoded for every variant list).
func (v *variant) sizeBaseline() error {
	f, err := v.file()
	if err != nil {
		return err
	}
	v.bsize, err = modelfile.Size(f)
	return err
}

// baselineInfo is a baseline variant as Compare shows it: its parameters
// are the n-gram weights and the bias.
func (e *Engine) baselineInfo(v *variant) *protocol.VariantInfo {
	nz := 0
	for _, w := range v.B.Weights {
		if w != 0 {
			nz++
		}
	}
	if v.B.Bias != 0 {
		nz++
	}
	info := &protocol.VariantInfo{Name: v.Name, Kind: v.Kind, Params: len(v.B.Weights) + 1, NonZero: nz, FileBytes: v.bsize, Metrics: v.Metrics,
		Storage: "f32", Runtime: lab.RuntimeFloat32, MetricsData: v.MetricsData, ModelKind: protocol.ModelKindTFIDF}
	e.mu.Lock()
	info.Evaluation, info.OOD = v.Eval, v.OOD
	e.mu.Unlock()
	return info
}

// evaluateBaseline is evaluate for a baseline: its split of the loaded
// data, split by what it trained on (its split re-derived: a baseline
// records no fingerprints).
func (e *Engine) evaluateBaseline(ctx context.Context, v *variant, sp lab.SplitSpec, progress Progress) (*protocol.Evaluation, error) {
	e.mu.Lock()
	reviews := e.reviews
	e.mu.Unlock()
	if reviews == nil {
		return nil, errors.New("no data loaded: load a dataset first")
	}
	// Only the split is needed, not the cleaned texts.
	corpus := lab.Corpus{Reviews: reviews}
	t, err := corpus.SplitRows(sp)
	if err != nil {
		return nil, err
	}
	xs, ys := data.TextsLabels(gather(reviews, t.TestIndex))
	z, err := e.baselineLogits(ctx, v.B, xs, progress)
	if err != nil {
		return nil, err
	}
	ev, err := lab.ScoreSeen(z, data.FloatLabels(ys), xs, lab.TrainingOf(nil, v.split, v.Data, corpus), e.testData(sp))
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	v.Eval = ev
	e.mu.Unlock()
	return ev, nil
}

// explainBaseline takes a review's logit apart into its n-grams'
// contributions (core/baseline's Explain, as `lab predict --json`).
func (e *Engine) explainBaseline(p protocol.BaselineExplainRequest) (*protocol.BaselineExplainResult, error) {
	v, err := e.variant(p.Variant)
	if err != nil {
		return nil, err
	}
	if v.B == nil {
		return nil, fmt.Errorf("explainBaseline: %s is an LSTM, not the TF-IDF baseline", p.Variant)
	}
	if strings.TrimSpace(p.Text) == "" {
		return nil, errors.New("explainBaseline: the review is empty")
	}
	k := p.K
	if k <= 0 {
		k = 8
	}
	ex := v.B.Explain(p.Text)
	pos, neg := ex.Top(k)
	return &protocol.BaselineExplainResult{Variant: v.Name, Logit: ex.Logit, Positive: ex.Positive, Bias: ex.Bias, Terms: len(ex.Terms),
		TopPositive: contributions(pos), TopNegative: contributions(neg)}, nil
}

// importBaseline makes a variant of a decoded baseline file.
func (e *Engine) importBaseline(name string, lb *modelfile.LoadedBaseline) (*protocol.VariantInfo, error) {
	if name == "" {
		name = lb.Meta.Variant
	}
	if name == "" {
		name = baselineVariant
	}
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80])
	}
	split, err := lab.SplitOf(lb.Meta)
	if err != nil {
		return nil, err
	}
	v := &variant{Name: e.uniqueName(name), B: lb.Model, Kind: "imported", Chain: baselineVariant, Seed: split.Seed,
		Data: lb.Meta.Provenance.DataHash, split: split, bmeta: lb.Meta}
	if acc, ok := lb.Meta.Metrics["test_accuracy"]; ok {
		v.Metrics = &train.Metrics{Accuracy: acc, Loss: lb.Meta.Metrics["test_loss"]}
		// `lab baseline` and this engine record the test confusion:
		// Compare shows it for an imported baseline too.
		var c [2][2]int
		if n := int(lb.Meta.Metrics["test_n"]); n > 0 && json.Unmarshal([]byte(lb.Meta.Extra["confusion"]), &c) == nil && c[0][0]+c[0][1]+c[1][0]+c[1][1] == n {
			v.Metrics.N, v.Metrics.Confusion = n, c
		}
		v.MetricsData = "the file's recorded test score"
		if n := lb.Meta.Metrics["test_n"]; n > 0 {
			v.MetricsData += fmt.Sprintf(" (%s test reviews of the data it was trained on)", lab.Count(int(n)))
		}
	}
	if err := v.sizeBaseline(); err != nil {
		return nil, err
	}
	e.putVariant(v)
	return e.info(v), nil
}

func gather(reviews []data.Review, idx []int) []data.Review {
	out := make([]data.Review, len(idx))
	for k, i := range idx {
		out[k] = reviews[i]
	}
	return out
}

func termWeights(ts []baseline.TermWeight) []protocol.TermWeight {
	out := make([]protocol.TermWeight, len(ts))
	for i, t := range ts {
		out[i] = protocol.TermWeight(t)
	}
	return out
}

func contributions(cs []baseline.Contribution) []protocol.Contribution {
	out := make([]protocol.Contribution, len(cs))
	for i, c := range cs {
		out[i] = protocol.Contribution(c)
	}
	return out
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// params are the variant's tensors for inspect: an LSTM's weights, or the
// baseline's n-gram idf and weights and its bias.
func (v *variant) params() []nn.Param {
	if v.B == nil {
		return v.Model.Params()
	}
	n := len(v.B.Weights)
	return []nn.Param{{Name: modelfile.TensorIDF, Shape: []int{n}, W: v.B.IDF}, {Name: modelfile.TensorLogRegW, Shape: []int{n}, W: v.B.Weights},
		{Name: modelfile.TensorLogRegBias, Shape: []int{1}, W: []float32{v.B.Bias}}}
}

// baselineEffects are the baseline's 10 n-grams that moved a review most,
// as predict's word effects: the probability minus the probability without
// that n-gram's term in the logit (the other terms' TF-IDF kept as they
// are; explainBaseline gives the terms themselves).
func baselineEffects(m *baseline.Model, review string) []protocol.WordEffect {
	ex := m.Explain(review)
	var out []protocol.WordEffect
	for _, c := range ex.Terms[:min(10, len(ex.Terms))] {
		out = append(out, protocol.WordEffect{Word: c.Term, Delta: ex.Positive - baseline.Sigmoid(ex.Logit-c.Logit)})
	}
	return out
}
