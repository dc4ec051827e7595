package train

import (
	"fmt"

	"sentilab/core/data"
	"sentilab/core/nn"
	"sentilab/core/text"
)

// Prepared is a dataset made ready for the model: split, cleaned, tokenized
// with a tokenizer fitted on the training texts only, padded.
type Prepared struct {
	Tok         *text.Tokenizer
	Train, Test Set
	TrainHash   string // data.Hash of the training reviews, for provenance
}

// Prepare runs the thesis's pipeline on reviews: seeded split (testFrac held
// out), keep the first trainLimit training reviews (0 = all), clean, fit the
// tokenizer (cfg.Vocab words) on the training texts, encode and pad both sets.
func Prepare(reviews []data.Review, cfg nn.Config, testFrac float64, trainLimit int, seed uint64, progress func(done, total int)) (*Prepared, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trainR, testR, err := data.Split(reviews, testFrac, seed)
	if err != nil {
		return nil, err
	}
	if trainLimit < 0 {
		return nil, fmt.Errorf("training subset size %d is negative", trainLimit)
	}
	if trainLimit > 0 && trainLimit < len(trainR) {
		trainR = trainR[:trainLimit]
	}
	all := len(trainR) + len(testR)
	cleanedTrain := cleanAll(trainR, func(d int) {
		if progress != nil {
			progress(d, all)
		}
	})
	cleanedTest := cleanAll(testR, func(d int) {
		if progress != nil {
			progress(len(trainR)+d, all)
		}
	})
	tok := text.FitTokenizer(cleanedTrain, cfg.Vocab)
	p := &Prepared{Tok: tok, TrainHash: data.Hash(trainR)}
	if p.Train, err = Encode(tok, cleanedTrain, labelsOf(trainR), cfg); err != nil {
		return nil, err
	}
	if p.Test, err = Encode(tok, cleanedTest, labelsOf(testR), cfg); err != nil {
		return nil, err
	}
	return p, nil
}

func cleanAll(rs []data.Review, progress func(done int)) []string {
	texts := make([]string, len(rs))
	for i, r := range rs {
		texts[i] = r.Text
	}
	return text.CleanAll(texts, func(d, _ int) { progress(d) })
}

func labelsOf(rs []data.Review) []float32 {
	y := make([]float32, len(rs))
	for i, r := range rs {
		y[i] = float32(r.Label)
	}
	return y
}

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
