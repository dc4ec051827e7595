package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"sentilab/core/data"
)

// readLimits are the dataset reader's limits, set by the flags that
// limitFlags registers beside --data on every command that reads data.
var readLimits data.Options

// runCtx is main's context, cancelled by SIGINT and SIGTERM; loadData
// reads under it.
var runCtx = context.Background()

// limitFlags registers the reader's limits on fs. Sizes take a unit (KiB,
// MiB, GiB, or KB, MB, GB) or none for bytes; -1 lifts a limit.
func limitFlags(fs *flag.FlagSet) {
	o := &readLimits
	fs.Var(byteSize{&o.MaxInputBytes}, "max-input-bytes", "refuse a dataset file larger than this as given (compressed) (default 1GiB)")
	fs.Var(byteSize{&o.MaxBytes}, "max-bytes", "refuse a dataset larger than this after decompression (default 1GiB)")
	fs.Var(byteSize{&o.MaxTextBytes}, "max-text-bytes", "refuse a dataset holding more review text than this (default 256MiB)")
	fs.IntVar(&o.MaxRows, "max-rows", 0, "refuse a dataset with more reviews than this (default 1000000)")
	fs.Var(byteSize{&o.MaxReviewBytes}, "max-review-bytes", "refuse a CSV record or aclImdb review file longer than this (default 1MiB)")
	fs.Float64Var(&o.MaxRatio, "max-ratio", 0, "refuse compressed data that expands more than this many times (default 100)")
	fs.BoolVar(&o.AllowSpecial, "allow-special", false, "read --data even if it is a named pipe or a device, as a stream")
}

// byteSize is a flag.Value for a size in bytes with an optional unit.
type byteSize struct{ n *int64 }

var units = map[string]int64{"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

func (b byteSize) String() string {
	if b.n == nil || *b.n == 0 {
		return ""
	}
	return strconv.FormatInt(*b.n, 10)
}

func (b byteSize) Set(s string) error {
	t := strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '-' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	mul, ok := units[unit]
	v, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || (v < 0 && v != -1) || (v > 0 && v > (1<<62)/mul) {
		return fmt.Errorf("%q: want a size such as 1048576, 64MiB or 1GiB (-1: no limit)", s)
	}
	*b.n = v * mul
	return nil
}
