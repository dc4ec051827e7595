package text

import "fmt"

// Pad lays out seqs as one flat, row-major [len(seqs)*maxLen] slice, as
// keras.preprocessing.sequence.pad_sequences(seqs, maxlen=maxLen,
// padding=padding, truncating=truncating, value=0) does: truncating "pre"
// keeps the last maxLen tokens, "post" the first; padding "pre" puts the
// zeros before the tokens, "post" after.
func Pad(seqs [][]int32, maxLen int, padding, truncating string) ([]int32, error) {
	if maxLen <= 0 {
		return nil, fmt.Errorf("text: Pad maxLen %d, want > 0", maxLen)
	}
	if padding != "pre" && padding != "post" {
		return nil, fmt.Errorf("text: Pad padding %q, want \"pre\" or \"post\"", padding)
	}
	if truncating != "pre" && truncating != "post" {
		return nil, fmt.Errorf("text: Pad truncating %q, want \"pre\" or \"post\"", truncating)
	}
	out := make([]int32, len(seqs)*maxLen)
	for i, s := range seqs {
		PadRow(out[i*maxLen:(i+1)*maxLen], s, padding, truncating)
	}
	return out, nil
}

// PadRow writes one sequence into row (len(row) is maxLen, all zero) as Pad
// does, padding and truncating given valid ("pre" or "post").
func PadRow(row, s []int32, padding, truncating string) {
	maxLen := len(row)
	if len(s) > maxLen {
		if truncating == "pre" {
			s = s[len(s)-maxLen:]
		} else {
			s = s[:maxLen]
		}
	}
	if padding == "post" {
		copy(row, s)
	} else {
		copy(row[maxLen-len(s):], s)
	}
}

// Lengths returns, for each sequence, how many real tokens survive
// truncation to maxLen: min(len(s), maxLen). With "post" padding they are
// the first Lengths[i] steps of row i; a masked LSTM reads only those.
func Lengths(seqs [][]int32, maxLen int) []int32 {
	out := make([]int32, len(seqs))
	for i, s := range seqs {
		out[i] = int32(min(len(s), maxLen))
	}
	return out
}
