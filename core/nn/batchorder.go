package nn

import "sort"

// BatchOrder is how the LSTM reads a batch: examples sorted by real length,
// longest first (stable), each one's tokens compacted to the front of its
// row. Both the float model and the int8 runtime (core/compress) lay out
// their steps from it.
type BatchOrder struct {
	Order []int   // sorted position → example index
	Lens  []int   // real steps, by sorted position (T without masking)
	Toks  []int32 // [B, T] by sorted position, real steps first
}

// Sort fills o for B examples of tokens [B, T] under config c: with masking
// the padding (id 0) is dropped wherever it is; ids outside [0, Vocab) are
// read as OOV (1), as Keras's tokenizer does. Buffers are reused.
func (o *BatchOrder) Sort(c Config, tokens []int32, B int) {
	T := c.MaxLen
	if len(tokens) != B*T {
		panic("nn: tokens length is not batch × max length")
	}
	lens := make([]int, B)
	o.Order = o.Order[:0]
	for b := 0; b < B; b++ {
		L := T
		if c.Masking {
			L = 0
			for _, tok := range tokens[b*T : (b+1)*T] {
				if tok != 0 {
					L++
				}
			}
		}
		lens[b] = L
		o.Order = append(o.Order, b)
	}
	sort.SliceStable(o.Order, func(x, y int) bool { return lens[o.Order[x]] > lens[o.Order[y]] })
	if cap(o.Toks) < B*T {
		o.Toks = make([]int32, B*T)
	}
	o.Toks = o.Toks[:B*T]
	o.Lens = o.Lens[:0]
	V := int32(c.Vocab)
	for i, b := range o.Order {
		o.Lens = append(o.Lens, lens[b])
		t := 0
		for _, tok := range tokens[b*T : (b+1)*T] {
			if c.Masking && tok == 0 {
				continue
			}
			if tok < 0 || tok >= V {
				tok = 1
			}
			o.Toks[i*T+t] = tok
			t++
		}
	}
}
