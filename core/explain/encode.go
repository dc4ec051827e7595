package explain

import (
	"fmt"
	"strings"

	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// Pad is the word shown for a padding step an unmasked model reads.
const Pad = "(pad)"

// Input is one review laid out as prediction lays it out: Tokens is the
// padded row [max_len] train.Encode gives, and Words[p] the word at position
// p ("" where Tokens[p] is padding). Cut counts the words max_len dropped.
type Input struct {
	Tokens []int32
	Words  []string
	Cut    int
}

// Encode tokenizes an already-cleaned review with tok and pads it as cfg
// says (train.Encode, what prediction uses), and places each word of the
// review at its position. An out-of-vocabulary word keeps its own text.
func Encode(tok *text.Tokenizer, cleaned string, cfg nn.Config) (Input, error) {
	set, err := train.Encode(tok, []string{cleaned}, []float32{0}, cfg)
	if err != nil {
		return Input{}, err
	}
	seq := tok.Sequence(cleaned)
	words := strings.Fields(cleaned)
	if len(words) != len(seq) {
		// The cleaned text splits into Keras's words differently from
		// whitespace (a filter character survived cleaning): name each
		// step by its vocabulary word instead.
		vocab := tok.Words()
		words = make([]string, len(seq))
		for i, id := range seq {
			words[i] = vocab[id]
			if id == 1 {
				words[i] = "(unknown)"
			}
		}
	}
	T := cfg.MaxLen
	cut := max(len(seq)-T, 0)
	if cut > 0 {
		if cfg.Padding == "pre" { // truncating on the padding side: keep the last T
			seq, words = seq[cut:], words[cut:]
		} else {
			seq, words = seq[:T], words[:T]
		}
	}
	at := make([]string, T)
	off := 0
	if cfg.Padding == "pre" {
		off = T - len(seq)
	}
	for i, w := range words {
		at[off+i] = w
		if set.Tokens[off+i] != seq[i] {
			return Input{}, fmt.Errorf("explain: position %d holds token %d, the review's word %q is %d", off+i, set.Tokens[off+i], w, seq[i])
		}
	}
	return Input{Tokens: set.Tokens, Words: at, Cut: cut}, nil
}

// steps lists the positions the model reads, in order: every position
// without masking, the non-padding ones with it (nn.BatchOrder).
func steps(cfg nn.Config, tokens []int32) []int {
	var ps []int
	for p, tok := range tokens {
		if !cfg.Masking || tok != 0 {
			ps = append(ps, p)
		}
	}
	return ps
}
