// Package eda computes the exploratory data analysis of a labelled review
// corpus as the thesis reported it: null and duplicate counts, pandas-style
// describe, per-sentiment word-count and character-length statistics,
// word-count percentiles, distinct characters, histograms, scikit-learn
// TF-IDF top terms and word-cloud frequencies.
//
// Compute takes the raw texts; statistics about words and characters are
// over the texts cleaned by text.Clean, as in the thesis, on all rows as
// loaded (duplicates included: dropping them does not give the thesis's
// numbers). The Report is plain data with snake_case JSON tags, ready for
// the CLI, the worker or a golden file. Every reduction runs in a fixed
// order, so the same input gives the same bytes of JSON natively and in
// WebAssembly (the golden test passes in both).
//
// On the shared 50k CSV the report reproduces every EDA number the thesis
// printed (word counts, character lengths, percentiles, 88 distinct
// characters, TF-IDF top terms) to the last digit, and matches pandas and
// scikit-learn run on the same cleaned texts to the last bit or two of a
// float64. CharLength is Python's len(): code points.
//
// Word clouds leave out NLTK stopwords that survive the cleaning because a
// tag was glued to them ("<br />The" keeps "the").
package eda
