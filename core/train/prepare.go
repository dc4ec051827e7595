package train

import (
	"fmt"

	"sentilab/core/nn"
	"sentilab/core/text"
)

// Encode tokenizes already-cleaned texts and pads them as cfg says
// (truncation on the same side as padding, as the thesis did with 'post').
func Encode(tok *text.Tokenizer, cleaned []string, labels []float32, cfg nn.Config) (Set, error) {
	if len(cleaned) != len(labels) {
		return Set{}, fmt.Errorf("%d texts but %d labels", len(cleaned), len(labels))
	}
	// A block of reviews at a time: each review pads on its own, so the
	// result is the same, but the word lists of all 40,000 reviews at once
	// took ~150–215 MB of the browser engine's memory, which a wasm memory
	// never gives back (BENCHMARKS.md, the page's footprint).
	const block = 1024
	tokens := make([]int32, 0, len(cleaned)*cfg.MaxLen)
	for lo := 0; lo < len(cleaned); lo += block {
		hi := min(lo+block, len(cleaned))
		part, err := text.Pad(tok.Sequences(cleaned[lo:hi]), cfg.MaxLen, cfg.Padding, cfg.Padding)
		if err != nil {
			return Set{}, err
		}
		tokens = append(tokens, part...)
	}
	return Set{Tokens: tokens, Labels: labels, N: len(labels)}, nil
}

// EncodeRaw cleans and encodes raw review texts (for predict and eval of a
// stored model).
func EncodeRaw(tok *text.Tokenizer, raw []string, labels []float32, cfg nn.Config) (Set, error) {
	return Encode(tok, text.CleanAll(raw, nil), labels, cfg)
}
