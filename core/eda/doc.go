// Package eda computes the exploratory data analysis of a labelled review
// corpus as the thesis reported it: null and duplicate counts, pandas-style
// describe, per-sentiment word-count and character-length statistics,
// word-count percentiles, distinct characters, histograms, scikit-learn
// TF-IDF top terms and word-cloud frequencies.
//
// Compute takes the raw texts; statistics about words and characters are
// over the texts cleaned by text.Clean, as in the thesis. The Report is plain
// data with snake_case JSON tags, ready for the CLI, the worker or a golden
// file. Every reduction runs in a fixed order, so the same input gives the
// same bytes of JSON natively and in WebAssembly.
package eda
