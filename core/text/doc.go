// Package text is the preprocessing stage: the thesis's text cleaning, the
// NLTK English stopword list, a Keras-compatible tokenizer and padding.
//
// Everything here reproduces a Python reference exactly, because the thesis's
// numbers (EDA, vocabulary, accuracy) are the acceptance tests:
//
//   - Clean is the thesis's two-step preprocessing: lowercase, split on
//     whitespace, drop NLTK stopwords, re-join with each kept word followed
//     by a space; then remove HTML tags, replace every character that is not
//     a word character, a whitespace or an apostrophe with a space, and
//     collapse runs of spaces. It matches the Python byte for byte on the
//     50k IMDB reviews.
//     Word and whitespace classes follow Python 3's re/str semantics (see
//     IsWordRune, IsSpaceRune), not Go's regexp.
//   - Tokenizer is keras.preprocessing.text.Tokenizer(num_words, oov_token):
//     default filters, lowercase, split on ' ', index 0 padding, 1 OOV, then
//     words by descending count with ties in order of first appearance.
//   - Pad is keras.preprocessing.sequence.pad_sequences with 'pre'/'post'
//     padding and truncating, written to one flat row-major slice.
//
// Known, documented differences from CPython (none occurs in the IMDB data):
// strings.ToLower maps U+0130 'İ' to 'i' where Python gives "i̇", and does not
// apply Python's final-sigma rule; Go and Python may ship different Unicode
// versions, so a letter added in one version is a word character in only one.
//
// Nothing here does I/O or keeps mutable global state; the stopword list is
// an embedded, read-only data file.
package text
