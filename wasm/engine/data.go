package main

import (
	"bytes"
	"context"
	"errors"
	"io"

	"sentilab/core/data"
	"sentilab/core/eda"
	"sentilab/core/lab"
	"sentilab/protocol"
)

// gcPercent is the engine's GOGC in the browser (main_js.go): a heap goal
// of 1.1× the live data instead of 2×, since a wasm memory never gives
// back what it grew to. The loaded reviews and their cleaned texts (≈130 MB
// for the 50,000) stay live for as long as the data is loaded.
const gcPercent = 10

// loadData parses a dataset given as bytes (a user's file) or fetched from
// a URL (the server's /api/data), replacing the current one.
func (e *Engine) loadData(ctx context.Context, p protocol.LoadDataRequest, buf []byte, progress Progress) (*protocol.LoadDataResult, error) {
	name, reviews, err := e.readReviews(ctx, p, buf, progress)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.dataName, e.reviews, e.last = name, reviews, nil
	e.mu.Unlock()
	buf = nil
	collect() // the file's bytes, and the old data's, before the cleaning
	return dataResult(name, reviews), nil
}

// dataResult describes loaded reviews: counts, hash and hygiene.
func dataResult(name string, reviews []data.Review) *protocol.LoadDataResult {
	pos, neg := data.Counts(reviews)
	h := data.CheckHygiene(reviews)
	return &protocol.LoadDataResult{Name: name, Rows: len(reviews), Positive: pos, Negative: neg, Hash: data.Hash(reviews),
		Hygiene: protocol.Hygiene(h), Warnings: h.Warnings()}
}

// readReviews reads a dataset given as bytes or fetched from a URL, within
// the request's limits, and returns its name and reviews.
func (e *Engine) readReviews(ctx context.Context, p protocol.LoadDataRequest, buf []byte, progress Progress) (string, []data.Review, error) {
	var in io.Reader = bytes.NewReader(buf)
	total := len(buf)
	if buf == nil {
		if p.URL == "" {
			return "", nil, errors.New("loadData: neither file bytes nor a url given")
		}
		if e.Fetch == nil {
			return "", nil, errors.New("loadData: fetching a url is only possible in the browser")
		}
		progress(protocol.FetchProgress{Phase: protocol.PhaseFetch, URL: p.URL})
		// Read as it downloads: a whole file's bytes (26 MB for the
		// 50,000 reviews) would sit in the worker's JS heap until its next
		// full collection, through a training run (issue 11).
		body, size, err := e.Fetch(p.URL)
		if err != nil {
			return "", nil, err
		}
		defer body.Close()
		in, total = body, max(int(size), 0) // 0: unknown
		if p.Name == "" {
			p.Name = p.URL
		}
	}
	if p.Limit < 0 {
		return "", nil, errors.New("loadData: limit is negative")
	}
	// The reader checks ctx, but in js/wasm a cancel arrives as a message,
	// read only when we yield: its progress callback is our chance to yield
	// and to stop, so a cancel seen there unwinds it with a sentinel panic.
	var reviews []data.Review
	err := catchCancel(func() error {
		var err error
		opt := data.Options{MaxBytes: p.MaxBytes, MaxTextBytes: p.MaxTextBytes, MaxRows: p.MaxRows,
			MaxReviewBytes: p.MaxReviewBytes, MaxRatio: p.MaxRatio}
		opt.Progress = func(n int64) {
			progress(protocol.ReadProgress{Phase: protocol.PhaseRead, Bytes: n, Total: total})
			if e.tick(ctx) != nil {
				panic(canceled{})
			}
		}
		reviews, err = data.ReadAutoContext(ctx, in, p.Name, opt)
		return err
	}, ctx)
	if err != nil {
		return "", nil, err
	}
	if len(reviews) == 0 {
		return "", nil, errors.New("loadData: " + p.Name + " holds no reviews")
	}
	if p.Limit > 0 {
		reviews = data.First(reviews, p.Limit)
	}
	return p.Name, reviews, nil
}

type canceled struct{}

// catchCancel runs f, turning a canceled{} panic into ctx's error.
func catchCancel(f func() error, ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(canceled); !ok {
				panic(r)
			}
			err = ctx.Err()
		}
	}()
	return f()
}

// dataset returns the loaded reviews.
func (e *Engine) dataset() ([]data.Review, error) {
	e.mu.Lock()
	reviews := e.reviews
	e.mu.Unlock()
	if reviews == nil {
		return nil, errors.New("no data loaded: load a dataset first")
	}
	return reviews, nil
}

// corpus is the loaded data as core/lab takes it: without cleaned texts,
// which each split makes for the reviews it takes (lab.Corpus), reporting
// its progress and giving JS its turn.
func (e *Engine) corpus(ctx context.Context, progress Progress) (lab.Corpus, error) {
	reviews, err := e.dataset()
	return lab.Corpus{Reviews: reviews, Cleaning: func(done, total int) error {
		progress(protocol.CountProgress{Phase: protocol.PhaseClean, Done: done, Total: total})
		return e.tick(ctx)
	}}, err
}

// lastSplit is a split of the loaded reviews and how it was made.
type lastSplit struct {
	spec  lab.SplitSpec
	texts *lab.Texts
}

// split is the corpus and its split by sp, with the test texts only
// (lab.Corpus.SplitTest). The last split is kept: cutting the 50,000
// reviews again for each evaluation (the grouped rule hashes every text)
// cost as much as scoring 200 classroom reviews (issue 9).
func (e *Engine) split(ctx context.Context, sp lab.SplitSpec, progress Progress) (lab.Corpus, *lab.Texts, error) {
	corpus, err := e.corpus(ctx, progress)
	if err != nil {
		return corpus, nil, err
	}
	e.mu.Lock()
	last := e.last
	e.mu.Unlock()
	if last != nil && last.spec == sp {
		return corpus, last.texts, nil
	}
	t, err := corpus.SplitTest(sp)
	if err != nil {
		return corpus, nil, err
	}
	e.mu.Lock()
	if len(e.reviews) == len(corpus.Reviews) && (len(e.reviews) == 0 || &e.reviews[0] == &corpus.Reviews[0]) {
		e.last = &lastSplit{spec: sp, texts: t}
	}
	e.mu.Unlock()
	return corpus, t, nil
}

// eda computes the thesis's EDA of the loaded data.
func (e *Engine) eda(ctx context.Context, progress Progress) (*eda.Report, error) {
	reviews, err := e.dataset()
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(reviews))
	labels := make([]int, len(reviews))
	for i, r := range reviews {
		texts[i], labels[i] = r.Text, r.Label
	}
	var rep *eda.Report
	err = catchCancel(func() error {
		var err error
		rep, err = eda.Compute(texts, labels, eda.Options{Progress: func(done, total int) {
			progress(protocol.CountProgress{Phase: protocol.PhaseEDA, Done: done, Total: total})
			if e.tick(ctx) != nil {
				panic(canceled{})
			}
		}})
		return err
	}, ctx)
	return rep, err
}
