package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"

	"sentilab/core/data"
	"sentilab/core/nn"
	"sentilab/protocol"
)

// Class jobs (issue 14): a student's page runs one point of a class's
// sweep, a protocol.LabRun, on the data it loaded for it, and posts the
// hash of the weights it made. The run is the lab's own train (and
// compress) with the run's seed, worker count and the portable kernel
// pinned, so every browser, and the command line, gets the same bits.

// Names of the variants a class job makes. classBase is kept between jobs:
// the α×T grid's jobs share their teacher, trained once per browser.
const (
	classBase = "class-base"
	classJob  = "class-job"
)

// classJob runs run on the loaded data and returns the SHA-256 of its
// output weights, its test metrics and its model file (which the page may
// upload for the teacher to import).
func (e *Engine) classJob(ctx context.Context, run protocol.LabRun, progress Progress) (*protocol.ClassJobResult, []byte, error) {
	res, err := e.runClassJob(ctx, run, progress)
	if err != nil {
		return nil, nil, err
	}
	_, file, err := e.exportModel(res.variant)
	if res.variant != classBase {
		e.mu.Lock()
		delete(e.variants, res.variant) // only its hash, scores and file are kept
		e.mu.Unlock()
	}
	return &res.ClassJobResult, file, err
}

// classRun is a class job's result and the variant it made.
type classRun struct {
	protocol.ClassJobResult
	variant string
}

func (e *Engine) runClassJob(ctx context.Context, run protocol.LabRun, progress Progress) (*classRun, error) {
	if run.Kernel != protocol.KernelPortable {
		return nil, fmt.Errorf("class job: kernel %q, want %q (the kernel that gives the same bits everywhere)", run.Kernel, protocol.KernelPortable)
	}
	if run.Workers < 1 || run.Workers > 16 {
		return nil, fmt.Errorf("class job: workers %d, want 1 to 16", run.Workers)
	}
	e.mu.Lock()
	reviews := e.reviews
	e.mu.Unlock()
	if reviews == nil {
		return nil, fmt.Errorf("class job: no data loaded: load dataset %q first", run.Dataset)
	}
	if run.Rows > 0 && len(reviews) != run.Rows {
		return nil, fmt.Errorf("class job: %d reviews loaded, the job wants the first %d of %q", len(reviews), run.Rows, run.Dataset)
	}
	if run.DataHash != "" {
		if h := data.Hash(reviews); h != run.DataHash {
			return nil, fmt.Errorf("class job: the loaded data's hash is %s, the job's %s: refusing to run it on other data", h, run.DataHash)
		}
	}
	// The run's top level pins what changes the bits (server/class does
	// the same when it expands a sweep).
	tr := run.Train
	tr.Seed, tr.Workers, tr.Kernels, tr.Name = run.Seed, run.Workers, run.Kernel, classBase
	key, err := json.Marshal(struct {
		Train protocol.TrainRequest
		Data  string
	}{tr, data.Hash(reviews)})
	if err != nil {
		return nil, err
	}
	out := &classRun{variant: classBase}
	base, err := e.variant(classBase)
	if err != nil || e.classKey != string(key) {
		res, err := e.train(ctx, tr, progress)
		if err != nil {
			return nil, err
		}
		e.classKey = string(key)
		out.History, out.Seconds = res.History, res.Seconds
		if base, err = e.variant(classBase); err != nil {
			return nil, err
		}
	}
	final := base
	if run.Compress != nil {
		cr := *run.Compress
		cr.Variant, cr.Name, cr.Kernels = classBase, classJob, run.Kernel
		res, err := e.compress(ctx, cr, progress)
		if err != nil {
			return nil, err
		}
		out.variant = res.Info.Name
		if final, err = e.variant(out.variant); err != nil {
			return nil, err
		}
		out.History = nil
		if res.Fit != nil {
			out.History, out.Seconds = res.Fit.History, out.Seconds+res.Fit.Seconds
		}
	} else if out.History == nil { // the cached model itself
		out.History = base.History
	}
	out.Hash = WeightsSHA256(final.Model)
	if m := final.Metrics; m != nil {
		out.Accuracy, out.Loss, out.TestN = m.Accuracy, m.Loss, m.N
	}
	out.Params = final.Model.NumParams()
	out.NonZero = nonZero(final.Model)
	return out, nil
}

// WeightsSHA256 is the lowercase hex SHA-256 of m's weights' float32 bits,
// little-endian, in Params order: a class result's Hash.
func WeightsSHA256(m *nn.Model) string {
	h := sha256.New()
	var b [4]byte
	for _, p := range m.Params() {
		for _, w := range p.W {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(w))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func nonZero(m *nn.Model) int {
	n := 0
	for _, p := range m.Params() {
		for _, w := range p.W {
			if w != 0 {
				n++
			}
		}
	}
	return n
}
