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
	tokens, err := text.Pad(tok.Sequences(cleaned), cfg.MaxLen, cfg.Padding, cfg.Padding)
	if err != nil {
		return Set{}, err
	}
	return Set{Tokens: tokens, Labels: labels, N: len(labels)}, nil
}

// EncodeRaw cleans and encodes raw review texts (for predict and eval of a
// stored model).
func EncodeRaw(tok *text.Tokenizer, raw []string, labels []float32, cfg nn.Config) (Set, error) {
	return Encode(tok, text.CleanAll(raw, nil), labels, cfg)
}
