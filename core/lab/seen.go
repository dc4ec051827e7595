package lab

import (
	"context"
	"fmt"
	"strconv"

	"sentilab/core/compress"
	"sentilab/core/fingerprint"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// Training recognises a model's training reviews in any reviews: by the
// fingerprints its file records, by its training texts, or not at all.
// A score on reviews a model trained on says little about new ones
// (issue 10: a 5,000-review slice put 802 of the base's training reviews
// among its 1,000 "test" reviews), so every evaluation splits by it.
type Training struct {
	Source string // protocol.TrainingFingerprints, TrainingSplit or TrainingUnknown
	fp     *fingerprint.Set
	texts  map[string]bool
}

// Seen reports whether the model trained on a review of this raw text. A
// fingerprint set takes an unseen text for a seen one with probability
// 2^-P (about 1e-6); training texts are exact.
func (t Training) Seen(raw string) bool {
	switch {
	case t.fp != nil:
		return t.fp.Contains(raw)
	case t.texts != nil:
		return t.texts[raw]
	}
	return false
}

// Known is false when nothing recognises the training reviews.
func (t Training) Known() bool { return t.fp != nil || t.texts != nil }

// TrainingTexts recognises the training reviews by their raw texts.
func TrainingTexts(c Corpus, trainIndex []int) Training {
	m := make(map[string]bool, len(trainIndex))
	for _, i := range trainIndex {
		m[c.Reviews[i].Text] = true
	}
	return Training{Source: protocol.TrainingSplit, texts: m}
}

// TrainingOf is how a model's training reviews are recognised: by fp, its
// file's fingerprints, when it has them; else by re-deriving its split sp
// on c when the training reviews hash to dataHash, its provenance (the
// same data it was trained on); else unknown. The shipped models of
// assets/models have no fingerprints: on a slice of the data, which splits
// differently, their training reviews are unknown.
func TrainingOf(fp *fingerprint.Set, sp SplitSpec, dataHash string, c Corpus) Training {
	if fp != nil {
		return Training{Source: protocol.TrainingFingerprints, fp: fp}
	}
	if dataHash != "" {
		if t, err := c.SplitRows(sp); err == nil && t.TrainHash() == dataHash {
			return TrainingTexts(c, t.TrainIndex)
		}
	}
	return Training{Source: protocol.TrainingUnknown}
}

// Fingerprints is the fingerprint set of the corpus's reviews at index,
// what a model file records of its training reviews.
func Fingerprints(c Corpus, index []int) *fingerprint.Set {
	texts := make([]string, len(index))
	for k, i := range index {
		texts[k] = c.Reviews[i].Text
	}
	s, err := fingerprint.New(texts, fingerprint.DefaultBits)
	if err != nil {
		panic(err) // DefaultBits is in range
	}
	return s
}

// ScoreSeen is the evaluation of logits against labels, row i being the
// review of raw text raw[i], on all rows and on those tr says the model
// trained on and those it did not. data says which reviews these are.
func ScoreSeen(logits, labels []float32, raw []string, tr Training, data string) (*protocol.Evaluation, error) {
	if len(logits) != len(labels) || len(raw) != len(labels) {
		return nil, fmt.Errorf("score: %d logits, %d labels, %d texts", len(logits), len(labels), len(raw))
	}
	ev := &protocol.Evaluation{Metrics: train.MetricsOf(logits, labels), Data: data, Training: tr.Source}
	if !tr.Known() {
		ev.Training = protocol.TrainingUnknown
		ev.Note = fmt.Sprintf("training reviews unknown for this model (its file has no fingerprints and this is not the data it was trained on): "+
			"some of these %s reviews may be ones it trained on", Count(len(raw)))
		return ev, nil
	}
	var zs, ys, zu, yu []float32
	for i, r := range raw {
		if tr.Seen(r) {
			zs, ys = append(zs, logits[i]), append(ys, labels[i])
		} else {
			zu, yu = append(zu, logits[i]), append(yu, labels[i])
		}
	}
	ev.Seen, ev.Unseen = len(ys), len(yu)
	if len(ys) > 0 {
		ev.SeenMetrics = train.MetricsOf(zs, ys)
	}
	if len(yu) > 0 {
		ev.UnseenMetrics = train.MetricsOf(zu, yu)
	}
	n := len(raw)
	switch {
	case ev.Seen == 0:
		ev.Note = fmt.Sprintf("none of the %s reviews was in this model's training set", Count(n))
	case ev.Unseen == 0:
		ev.Note = fmt.Sprintf("all %s reviews were in this model's training set: the score says nothing about new reviews", Count(n))
	default:
		ev.Note = fmt.Sprintf("%s of %s reviews were in this model's training set; on the %s unseen: %.2f%%",
			Count(ev.Seen), Count(n), Count(ev.Unseen), 100*ev.UnseenMetrics.Accuracy)
	}
	return ev, nil
}

// EvaluateSeen scores a model on set, whose row i is the review of raw
// text raw[i], with the runtime it ships with (Evaluate), split by tr.
func EvaluateSeen(ctx context.Context, m *nn.Model, q *compress.QModel, set train.Set, raw []string, tr Training, data string, o EvalOptions) (*protocol.Evaluation, error) {
	z, err := Logits(ctx, m, q, set, o)
	if err != nil {
		return nil, err
	}
	return ScoreSeen(z, set.Labels, raw, tr, data)
}

// Count writes n with thousands separators: 40,000.
func Count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
