package web

import (
	"encoding/json"
	"fmt"
	"time"

	"sentilab/protocol"
)

// The baseline lesson (issue 13): a TF-IDF logistic regression trained in
// the engine in seconds on the loaded data's training split, the yardstick
// beside the LSTMs in Compare and Try. Its card is in the Train step
// (baseline-card.vugu), its words in Try (baseline-words.vugu).

// BaselineLab is the baseline's state, shared by its card and Try's box.
type BaselineLab struct {
	Result *protocol.TrainBaselineResult // the last training run's, nil before
	ID     int                           // the running trainBaseline request, 0 when none
	Prog   *protocol.BaselineProgress
	// Explained are the baseline variants' n-grams for the review Text.
	Explained []protocol.BaselineExplainResult
	Text      string
	drawn     time.Time // of the last progress shown (only the request's goroutine)
}

// baselineName is the variant the page trains.
const baselineName = "baseline"

// IsBaseline reports whether v is a TF-IDF baseline, not an LSTM.
func IsBaseline(v VariantInfo) bool { return v.ModelKind == protocol.ModelKindTFIDF }

// baselineRequest is the trainBaseline request for settings s: the split
// of `lab baseline` (the grouped rule, as the lab's presets) at the form's seed and test
// share, on every training review (the baseline takes seconds).
func baselineRequest(s Settings) protocol.TrainBaselineRequest {
	return protocol.TrainBaselineRequest{Name: baselineName, Seed: uint64(s.Seed), TestFrac: s.TestFrac}
}

// TrainBaseline trains the baseline on the loaded data.
func (l *Lab) TrainBaseline() {
	defer l.guard()
	if l.Data == nil {
		l.Err = "Load a dataset first (" + StepHeading("data") + ")."
		return
	}
	req := baselineRequest(l.S)
	l.Base.Result, l.Base.Prog = nil, nil
	l.async("training the baseline", func() error {
		var r protocol.TrainBaselineResult
		_, err := ask(l.Eng, protocol.TypeTrainBaseline, req, nil, &r, func(id int) { l.Base.ID = id }, l.baselineProgress)
		l.update(func() { l.Base.ID = 0 })
		if err != nil {
			if err.Error() == protocol.Canceled {
				l.update(func() { l.Status, l.Base.Prog = "Baseline training canceled.", nil })
				return nil
			}
			return err
		}
		l.listVariants() // before the status: "Trained" means it is listed
		l.update(func() {
			l.Base.Result = &r
			l.Status = fmt.Sprintf("Trained the baseline: test accuracy %s on %d reviews in %.1f s (%d training reviews, %d n-grams).",
				Pct(r.Test.Accuracy), r.Test.N, r.Seconds, r.TrainRows, r.Terms)
		})
		return nil
	})
}

// CancelBaseline stops the running baseline training.
func (l *Lab) CancelBaseline() {
	defer l.guard()
	if l.Base.ID != 0 {
		l.Eng.Cancel(l.Base.ID)
		l.Status = "Canceling…"
	}
}

// BaselineTraining reports whether the baseline is being trained.
func (l *Lab) BaselineTraining() bool { return l.Base.ID != 0 }

// baselineProgress shows the baseline's progress, at most every redrawEvery.
func (l *Lab) baselineProgress(p json.RawMessage) {
	// BaselineProgress, or the test split's scoring (CountProgress: its
	// keys are BaselineProgress's).
	var pr protocol.BaselineProgress
	if err := protocol.Decode("baseline progress", p, &pr); err != nil {
		l.update(func() { l.Err = Clip(err.Error(), 300) })
		return
	}
	if pr.Phase == protocol.PhaseEvaluate {
		pr.Stage = "evaluate"
	}
	if time.Since(l.Base.drawn) < redrawEvery && pr.Done != pr.Total {
		return
	}
	l.Base.drawn = time.Now()
	l.update(func() {
		l.Base.Prog = &pr
		l.Status = baselineStatus(pr)
	})
}

// baselineStatus says what a progress report means.
func baselineStatus(pr protocol.BaselineProgress) string {
	switch pr.Stage {
	case "vocabulary":
		return fmt.Sprintf("Baseline: counting words and word pairs (two passes): %d of %d", pr.Done, pr.Total)
	case "features":
		return fmt.Sprintf("Baseline: TF-IDF rows of the training reviews: %d of %d", pr.Done, pr.Total)
	case "fit":
		return fmt.Sprintf("Baseline: logistic regression, L-BFGS iteration %d (at most %d), loss %.5f", pr.Done, pr.Total, pr.Loss)
	case "evaluate":
		return fmt.Sprintf("Baseline: scoring the test reviews: %d of %d", pr.Done, pr.Total)
	}
	return "Baseline: " + pr.Stage
}

// BaselineFraction is the training's progress 0..1: each of the three
// stages a third.
func (l *Lab) BaselineFraction() float64 {
	p := l.Base.Prog
	if p == nil || p.Total == 0 {
		if l.Base.Result != nil {
			return 1
		}
		return 0
	}
	if p.Stage == "evaluate" {
		return 1
	}
	stage := map[string]float64{"vocabulary": 0, "features": 1, "fit": 2}[p.Stage]
	return (stage + min(1, float64(p.Done)/float64(p.Total))) / 3
}

// Baselines are the engine's baseline variants.
func (l *Lab) Baselines() []VariantInfo {
	var out []VariantInfo
	for _, v := range l.Variants {
		if IsBaseline(v) {
			out = append(out, v)
		}
	}
	return out
}

// ExplainBaseline asks every baseline variant which n-grams of text moved
// its logit most.
func (l *Lab) ExplainBaseline(text string) {
	defer l.guard()
	names := []string{}
	for _, v := range l.Baselines() {
		names = append(names, v.Name)
	}
	if len(names) == 0 {
		l.Err = "No baseline yet: train it in " + StepHeading("train") + "."
		return
	}
	l.async("explaining the review", func() error {
		var out []protocol.BaselineExplainResult
		for _, n := range names {
			var r protocol.BaselineExplainResult
			if _, err := ask(l.Eng, protocol.TypeExplainBaseline, protocol.BaselineExplainRequest{Variant: n, Text: text, K: 8}, nil, &r, nil, nil); err != nil {
				return err
			}
			out = append(out, r)
		}
		l.update(func() {
			l.Base.Explained, l.Base.Text = out, text
			l.Status = fmt.Sprintf("The baseline's n-grams for this review: P(positive) %s.", F(out[0].Positive, 4))
		})
		return nil
	})
}

// TermList is a list of weighted n-grams as one line: "great +9.1, …".
func TermList(ts []protocol.TermWeight) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %+.1f", t.Term, t.Weight)
	}
	return s
}
