package lab

import (
	"context"
	"os"
	"runtime"
	"slices"
	"testing"

	"sentilab/core/data"
	"sentilab/internal/testenv"
)

// Issue 10 item 5: every lesson shows its point with its defaults, at
// classroom size (the classroom preset, seed 42, 2 workers as `lab train`
// and `lab compress` use on the 2-core machine). The compress parameters
// are DefaultParams, which is what the page's form sends (epochs 3,
// sparsity 0.2 → 0.8, α 0.85, T 1.5, student widths 0 = half).
// About 10 s of CPU natively (49 s wall on the shared, loaded 2-core machine).
func TestLessonsWithDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five classroom models")
	}
	// Under js/wasm it takes 128 s of CI's budget (33 s natively) to
	// compute the same bits (TestSameWeightsAsCLI, core/train's pinned
	// hashes): ./build.sh test-long runs it there.
	if runtime.GOOS == "js" && os.Getenv("SENTILAB_LONG") != "1" {
		t.Skip("under js/wasm: SENTILAB_LONG=1 (./build.sh test-long)")
	}
	reviews, err := data.Open(testenv.DataPath(t), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	corpus := NewCorpus(reviews, nil)
	run := RunOptions{Workers: 2}
	p, err := Resolve("classroom", Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	teacher, err := Train(ctx, corpus, p, run)
	if err != nil {
		t.Fatal(err)
	}
	trainSet, testSet, err := corpus.Sets(p.Split(), teacher.Tok, teacher.Model.Cfg, teacher.TrainHash)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("teacher: %d params, test accuracy %.4f, epoch-1 validation %.4f", teacher.Model.NumParams(), teacher.Test.Accuracy, teacher.Fit.History[0].ValAccuracy)

	compressWith := func(method string, thesis bool) *Compressed {
		t.Helper()
		params := DefaultParams()
		params.Tune.Seed, params.Tune.Workers, params.ThesisLoss = p.Seed, run.Workers, thesis
		c, err := Compress(ctx, ChainInput{Source: teacher.Model, Vocab: teacher.Tok.Words(), Train: trainSet, Test: testSet,
			Params: params, Eval: EvalOptions{Workers: run.Workers}}, []string{method})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// pruneAt is the pruning lesson at another seed: its own teacher, then
	// pruned; the accuracy points it loses.
	pruneAt := func(seed uint64) float64 {
		t.Helper()
		ps, err := Resolve("classroom", Overrides{Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		base, err := Train(ctx, corpus, ps, run)
		if err != nil {
			t.Fatal(err)
		}
		tr, te, err := corpus.Sets(ps.Split(), base.Tok, base.Model.Cfg, base.TrainHash)
		if err != nil {
			t.Fatal(err)
		}
		params := DefaultParams()
		params.Tune.Seed, params.Tune.Workers = seed, run.Workers
		c, err := Compress(ctx, ChainInput{Source: base.Model, Vocab: base.Tok.Words(), Train: tr, Test: te,
			Params: params, Eval: EvalOptions{Workers: run.Workers}}, []string{"prune"})
		if err != nil {
			t.Fatal(err)
		}
		return 100 * (c.Test.Accuracy - base.Test.Accuracy)
	}
	points := func(c *Compressed) float64 { return 100 * (c.Test.Accuracy - teacher.Test.Accuracy) }

	// Distillation: a student with at most half the teacher's parameters
	// within 1 point of it.
	student := compressWith("distill", false)
	t.Logf("student: %d params, test accuracy %.4f (%+.2f points)", student.Model.NumParams(), student.Test.Accuracy, points(student))
	if 2*student.Model.NumParams() > teacher.Model.NumParams() {
		t.Errorf("the student has %d parameters, more than half the teacher's %d", student.Model.NumParams(), teacher.Model.NumParams())
	}
	if points(student) < -1 {
		t.Errorf("the student scores %.4f, %.2f points below its teacher's %.4f; want within 1", student.Test.Accuracy, -points(student), teacher.Test.Accuracy)
	}
	// The thesis's loss: only reported (its soft term is zero, so it is
	// the hard-label student; at α 0.85 the two differ by noise).
	thesis := compressWith("distill", true)
	t.Logf("thesis-way student: test accuracy %.4f (%+.2f points)", thesis.Test.Accuracy, points(thesis))

	// Pruning 20% → 80% over 3 epochs loses at most 1.5 points: the median
	// of three seeds (42, 1, 2), since one seed's loss is a draw with a
	// spread of about a point. Over seeds 42, 1 … 7: −0.73, −0.58, −0.59,
	// −1.43, −2.14, −0.96, −0.35, −1.32 (mean −1.01); with a batch's rows
	// dealt to the 2 workers by their work (a change tried and not kept),
	// −1.80, −0.47, −0.19, −1.28, −1.42, +0.27, −0.68, −0.39: one seed in
	// eight over 1.5 either way, so a single seed's check fails on any
	// change to the numerics by chance.
	pruned := compressWith("prune", false)
	t.Logf("pruned: %d of %d non-zero, test accuracy %.4f (%+.2f points)", pruned.Steps[0].NonZero, pruned.Model.NumParams(), pruned.Test.Accuracy, points(pruned))
	if nz := float64(pruned.Steps[0].NonZero) / float64(pruned.Model.NumParams()); nz > 0.25 {
		t.Errorf("pruning kept %.1f%% of the weights, want at most 25%% (80%% of the pruned tensors)", 100*nz)
	}
	losses := []float64{points(pruned), pruneAt(1), pruneAt(2)}
	slices.Sort(losses)
	t.Logf("pruning at seeds 42, 1, 2: %.2f points (sorted)", losses)
	if losses[1] < -1.5 {
		t.Errorf("pruning loses %.2f points at the median of seeds 42, 1, 2 (%.2f); want at most 1.5", -losses[1], losses)
	}

	// Masking: without a mask and with 'post' padding the LSTM reads the
	// pads after the review before it answers and stalls in epoch 1. At
	// the classroom's max length (100) it does not stall natively at seed
	// 42 (epoch-1 validation .745 against .849 masked): too few pads
	// follow a review. With the thesis's max length (170) it does
	// (.523 against .849), so the lesson needs the thesis's max length.
	unmasked, err := Resolve("classroom", Overrides{Masking: ptr(false), Padding: ptr("post"), MaxLen: ptr(presets["thesis"].Model.MaxLen)})
	if err != nil {
		t.Fatal(err)
	}
	stalled, err := Train(ctx, corpus, unmasked, run)
	if err != nil {
		t.Fatal(err)
	}
	m1, u1 := teacher.Fit.History[0].ValAccuracy, stalled.Fit.History[0].ValAccuracy
	t.Logf("unmasked, post, max len %d: epoch-1 validation %.4f against %.4f masked; test accuracy %.4f", unmasked.Model.MaxLen, u1, m1, stalled.Test.Accuracy)
	if m1-u1 < 0.20 {
		t.Errorf("epoch-1 validation accuracy %.4f unmasked against %.4f masked: want at least 20 points below", u1, m1)
	}
}
