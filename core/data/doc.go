// Package data reads the IMDB review datasets and splits them reproducibly.
//
// Two layouts are understood, whatever the file is called:
//
//   - Kaggle's "IMDB Dataset of 50K Movie Reviews": a CSV with the header
//     review,sentiment (either column order), RFC 4180 quoting, labels
//     positive/negative; plain, gzip-compressed, or alone in a zip (Kaggle's
//     download).
//   - Stanford's aclImdb: train/{pos,neg}/*.txt and test/{pos,neg}/*.txt,
//     as a folder, a tar (plain, .tar.gz or .tgz) or a zip, under an optional
//     single top folder such as aclImdb/. The unsup folder is ignored.
//
// Readers stream: a CSV is parsed record by record, a tar entry by entry, so
// memory holds the reviews, not the file. What they may consume is bounded
// as it streams (Options: input and decompressed bytes, review text held,
// rows, one record's length, the compression ratio), so a decompression
// bomb, an endless file or an unclosed quote is refused within a few MB;
// the *Context variants stop when their context is cancelled. Every refusal
// is an *Error naming the file (and archive member), the 1-based line where
// the offending record starts, and what was wrong (for a limit, the lab
// flag that raises it), so a student can fix the file in an editor.
//
// CheckHygiene reports what is accepted but worth a warning: one class,
// exact duplicates, texts labelled both ways. SplitGrouped keeps exact
// duplicates on one side of a split; Overlap counts those Split lets leak.
//
// Splits are seeded with math/rand/v2's PCG, which computes the same sequence
// natively and in WebAssembly: the same seed gives the same split everywhere.
package data
