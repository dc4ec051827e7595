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
// memory holds the reviews, not the file. Every refusal is an *Error naming
// the file (and archive member), the 1-based line where the offending record
// starts, and what was wrong, so a student can fix the file in an editor.
//
// Splits are seeded with math/rand/v2's PCG, which computes the same sequence
// natively and in WebAssembly: the same seed gives the same split everywhere.
package data
