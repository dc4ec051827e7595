package main

import (
	"context"
	"errors"
	"time"

	"sentilab/core/data"
	"sentilab/core/lab"
	"sentilab/core/train"
	"sentilab/protocol"
)

// The second dataset (issue 13): reviews of another domain (the server's
// rt-polarity snippets, or a user's file) loaded beside the lab's own,
// never trained on, on which every variant is scored: how well does what
// each model learned on IMDB carry over?

// loadOOD reads the second dataset, as loadData reads the first (the same
// readers and limits), and forgets every variant's score on the last one.
func (e *Engine) loadOOD(ctx context.Context, p protocol.LoadDataRequest, buf []byte, progress Progress) (*protocol.LoadDataResult, error) {
	name, reviews, err := e.readReviews(ctx, p, buf, progress)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.oodName, e.ood = name, reviews
	for _, v := range e.variants {
		v.OOD = nil
	}
	e.mu.Unlock()
	return dataResult(name, reviews), nil
}

// oodBlock is how many reviews are encoded at a time: the whole set padded
// to max_len at once could be large (as `lab report --data-ood`).
const oodBlock = 1024

// evaluateOOD scores a variant on every review of the second dataset: an
// LSTM on its tokenizer's encoding of their cleaned texts, the baseline on
// their raw texts, as `lab eval --data FILE` does.
func (e *Engine) evaluateOOD(ctx context.Context, name string, progress Progress) (*protocol.OODEvaluation, error) {
	v, err := e.variant(name)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	reviews, dataName := e.ood, e.oodName
	e.mu.Unlock()
	if reviews == nil {
		return nil, errors.New("no second dataset loaded: load one in the Data step first")
	}
	xs, labels := data.TextsLabels(reviews)
	ys := data.FloatLabels(labels)
	t0 := time.Now()
	var z []float32
	if v.B != nil {
		if z, err = e.baselineLogits(ctx, v.B, xs, progress); err != nil {
			return nil, err
		}
	} else {
		z = make([]float32, 0, len(xs))
		opt := lab.EvalOptions{Workers: 1, Pause: e.pause(ctx)}
		for lo := 0; lo < len(xs); lo += oodBlock {
			progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: lo, Total: len(xs)})
			hi := min(lo+oodBlock, len(xs))
			set, err := train.EncodeRaw(v.Tok, xs[lo:hi], ys[lo:hi], v.Model.Cfg)
			if err != nil {
				return nil, err
			}
			b, err := lab.Logits(ctx, v.Model, v.Q, set, opt)
			if err != nil {
				return nil, err
			}
			z = append(z, b...)
		}
		progress(protocol.CountProgress{Phase: protocol.PhaseEvaluate, Done: len(xs), Total: len(xs)})
	}
	sec := time.Since(t0).Seconds()
	ev := &protocol.OODEvaluation{Metrics: train.MetricsOf(z, ys), Data: "all " + lab.Count(len(xs)) + " reviews of " + dataName,
		Seconds: sec, ReviewsPerSec: float64(len(xs)) / max(sec, 1e-9)}
	e.mu.Lock()
	v.OOD = ev
	e.mu.Unlock()
	return ev, nil
}
