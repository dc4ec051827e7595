package onnx

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sentilab/core/nn"
	"sentilab/core/text"
)

// Info is what the file says besides the graph: the vocabulary and how
// reviews become tokens, so the model is usable without Sentilab's code.
type Info struct {
	Vocab         []string // index order: Vocab[i] is the word of token i ("" = padding, "<OOV>")
	Variant       string   // "base", "int8", "prune+distill+int8", ...
	Preprocessing string   // the model file's preprocessing name
	Extra         []KV     // more metadata_props (e.g. the source model's metrics)
}

// Format is the value of metadata_props["sentilab.format"].
const Format = "sentilab-onnx/1"

// KerasFilters are the characters the tokenizer turns into spaces (Keras's
// Tokenizer default; the apostrophe is not one). A test checks them against
// core/text's tokenizer.
const KerasFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"

// Preprocessing is the text pipeline spelled out for a reader without our
// code (core/text.Clean, then the Keras tokenizer and pad_sequences).
const Preprocessing = `1. clean (the thesis's Python, byte for byte): lowercase; split on whitespace; drop the words in sentilab.stopwords; join the kept words, each followed by one space; remove HTML tags <[^>]+>; remove \n and \t; replace every character that is not a word character (Python 3 re \w), whitespace or an apostrophe with a space; collapse runs of spaces to one.
2. tokenize (keras Tokenizer): replace each character of sentilab.tokenizer_filters with a space, lowercase, split on ' ', drop empty strings; a word's id is its index in sentilab.vocab, words not in it are 1 (<OOV>).
3. pad (keras pad_sequences, value 0): keep at most max_len ids, dropping from the start if sentilab.padding is 'pre', from the end if 'post'; fill with 0 up to max_len on the same side.
4. run: input "tokens" int64 [batch, max_len]; output "probability" [batch] is P(positive), "logit" its logit. With sentilab.masking true the graph skips the padding (id 0) itself.`

func metadata(c nn.Config, info Info) []KV {
	cfg := mustJSON(c)
	md := []KV{
		{"sentilab.format", Format},
		{"sentilab.variant", info.Variant},
		{"sentilab.config", cfg},
		{"sentilab.max_len", fmt.Sprint(c.MaxLen)},
		{"sentilab.padding", c.Padding},
		{"sentilab.truncating", c.Padding},
		{"sentilab.masking", fmt.Sprint(c.Masking)},
		{"sentilab.pad_id", "0"},
		{"sentilab.oov_id", "1"},
		{"sentilab.preprocessing_name", info.Preprocessing},
		{"sentilab.preprocessing", Preprocessing},
		{"sentilab.stopwords", mustJSON(text.NLTKStopwords())},
		{"sentilab.tokenizer_filters", KerasFilters},
		{"sentilab.vocab", mustJSON(info.Vocab)},
	}
	return append(md, info.Extra...)
}

func doc(c nn.Config) string {
	mask := "no masking: the LSTM reads all max_len steps, padding included"
	if c.Masking {
		mask = "masked: padding (id 0) is skipped wherever it is"
	}
	return fmt.Sprintf("Sentilab IMDB sentiment classifier: Embedding(%d, %d) → LSTM(%d) → Dense(1) → sigmoid. "+
		"Input tokens int64 [batch, %d], %s-padded with 0, %s. Output probability [batch] = P(positive). "+
		"The vocabulary and preprocessing are in metadata_props (sentilab.*).",
		c.Vocab, c.Embed, c.Hidden, c.MaxLen, c.Padding, mask)
}

func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only configs and string lists get here
	}
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
