package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"sentilab/core/eda"
)

func runEDA(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eda", flag.ContinueOnError)
	dataPath := dataFlag(fs)
	asJSON := fs.Bool("json", false, "print the whole EDA as JSON on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	reviews, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	texts := make([]string, len(reviews))
	labels := make([]int, len(reviews))
	for i, r := range reviews {
		texts[i], labels[i] = r.Text, r.Label
	}
	b := newBar()
	t0 := time.Now()
	// eda.Compute takes no context: it runs aside, and a signal returns
	// at once (the process exits with it).
	type result struct {
		rep *eda.Report
		err error
	}
	ch := make(chan result, 1)
	go func() {
		rep, err := eda.Compute(texts, labels, eda.Options{Progress: func(d, t int) { b.update(d, t, "EDA", -1) }})
		ch <- result{rep, err}
	}()
	var rep *eda.Report
	select {
	case <-ctx.Done():
		return ctx.Err()
	case r := <-ch:
		rep, err = r.rep, r.err
	}
	b.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "EDA of %d reviews in %.1fs\n", len(texts), time.Since(t0).Seconds())
	if *asJSON {
		return printJSON(rep)
	}
	return printJSONTo(os.Stderr, rep)
}
