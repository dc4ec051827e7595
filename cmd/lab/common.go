package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"sentilab/core/data"
)

// dataFlag registers --data with $SENTILAB_DATA as its default.
func dataFlag(fs *flag.FlagSet) *string {
	limitFlags(fs) // the reader's limits, beside every --data (limits.go)
	return fs.String("data", os.Getenv("SENTILAB_DATA"), "dataset: Kaggle CSV (.csv or .csv.gz) or aclImdb folder/.tar.gz (default $SENTILAB_DATA)")
}

func workersFlag(fs *flag.FlagSet) *int {
	return fs.Int("workers", runtime.NumCPU(), "goroutines that share each batch (results depend on this number, not on timing)")
}

// loadData reads the dataset with a progress bar.
func loadData(path string) ([]data.Review, error) {
	if path == "" {
		return nil, errors.New("no dataset: pass --data PATH or set SENTILAB_DATA")
	}
	var size int64
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		size = fi.Size()
	}
	b := newBar()
	t0 := time.Now()
	opt := readLimits
	opt.Progress = func(n int64) {
		if size > 0 {
			b.update(int(min(n, size)/1024), int(size/1024), "reading "+path, -1)
		}
	}
	rs, err := data.OpenContext(runCtx, path, opt)
	b.done()
	if err != nil {
		return nil, err
	}
	h := data.CheckHygiene(rs)
	fmt.Fprintf(os.Stderr, "read %d reviews (%d positive, %d negative) in %.1fs\n", len(rs), h.Positive, h.Negative, time.Since(t0).Seconds())
	for _, w := range h.Warnings() {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	return rs, nil
}

func printJSON(v any) error { return printJSONTo(os.Stdout, v) }

func printJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	return nil
}

func defaultWorkers() int { return runtime.NumCPU() }

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
