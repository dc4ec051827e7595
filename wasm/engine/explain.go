package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"sentilab/core/explain"
	"sentilab/core/lab"
	"sentilab/core/text"
	"sentilab/protocol"
)

// explainReview reads one review with one or two variants (core/explain):
// per step the running sentiment, the gates' means and the cell state, and
// integrated gradients per word. An int8 variant is explained through its
// dequantized float32 weights (v.Model); its Prediction is the int8
// runtime's own.
func (e *Engine) explainReview(ctx context.Context, p protocol.ExplainRequest) (*protocol.ExplainResult, error) {
	if strings.TrimSpace(p.Text) == "" {
		return nil, errors.New("explain: the review is empty")
	}
	if n := len(p.Variants); n < 1 || n > 2 {
		return nil, fmt.Errorf("explain: %d models, want one or two", n)
	}
	if p.IGSteps < 0 || p.IGSteps > explain.MaxIGPoints {
		return nil, fmt.Errorf("explain: ig_steps %d out of range [0, %d]", p.IGSteps, explain.MaxIGPoints)
	}
	cleaned := text.Clean(p.Text)
	out := &protocol.ExplainResult{Cleaned: cleaned, Method: explain.Method, Formula: explain.Formula}
	for _, name := range p.Variants {
		v, err := e.variant(name)
		if err != nil {
			return nil, err
		}
		if err := e.tick(ctx); err != nil {
			return nil, err
		}
		t0 := time.Now()
		in, err := explain.Encode(v.Tok, cleaned, v.Model.Cfg)
		if err != nil {
			return nil, err
		}
		r, err := explain.Read(v.Model, in)
		if err != nil {
			return nil, err
		}
		a, err := explain.IntegratedGradients(ctx, v.Model, in, p.IGSteps)
		if err != nil {
			return nil, err
		}
		pred, err := probability(v, cleaned, p.Act7)
		if err != nil {
			return nil, err
		}
		weights := lab.RuntimeFloat32
		if v.Q != nil {
			weights = "the int8 model's dequantized float32 weights (the int8 runtime exposes no per-step states)"
		}
		c := v.Model.Cfg
		out.Readings = append(out.Readings, protocol.Reading{Variant: name, Weights: weights, Words: r.Words, Positions: r.Positions,
			Sentiment: r.Sentiment, Input: r.Gates[explain.GateInput], Forget: r.Gates[explain.GateForget],
			Candidate: r.Gates[explain.GateCell], Output: r.Gates[explain.GateOutput], Cell: r.Cell, Steps: len(r.Words),
			Hidden: r.Hidden, MaxLen: c.MaxLen, Padding: c.Padding, Cut: in.Cut, Logit: r.Logit, Probability: r.Probability, Prediction: pred,
			Attribution: a.Scores, IGLogit: a.Logit, BaselineLogit: a.BaselineLogit, Completeness: a.Completeness(),
			IGSteps: a.Steps, IGPoints: a.Points, MS: float64(time.Since(t0).Microseconds()) / 1000})
	}
	return out, nil
}
