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
	if cfg.MaxLen <= 0 {
		return Set{}, fmt.Errorf("max length %d, want > 0", cfg.MaxLen)
	}
	if cfg.Padding != "pre" && cfg.Padding != "post" {
		return Set{}, fmt.Errorf("padding %q, want \"pre\" or \"post\"", cfg.Padding)
	}
	// Each review's ids go through one reused buffer straight into its
	// padded row (text.Pad's rule): the word lists of all reviews at once
	// took ~150–215 MB of the browser engine's memory, which a wasm memory
	// never gives back (BENCHMARKS.md, the page's footprint), and a list
	// per review ~90 MB of garbage for the collector to catch up with.
	T := cfg.MaxLen
	tokens := make([]int32, len(cleaned)*T)
	var seq []int32
	for i, s := range cleaned {
		seq = tok.AppendSequence(seq[:0], s)
		text.PadRow(tokens[i*T:(i+1)*T], seq, cfg.Padding, cfg.Padding)
	}
	return Set{Tokens: tokens, Labels: labels, N: len(labels)}, nil
}

// EncodeRaw cleans and encodes raw review texts (for predict and eval of a
// stored model).
func EncodeRaw(tok *text.Tokenizer, raw []string, labels []float32, cfg nn.Config) (Set, error) {
	return Encode(tok, text.CleanAll(raw, nil), labels, cfg)
}
