package lab

import (
	"fmt"
	"math"

	"sentilab/core/data"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// Corpus is a dataset with its reviews' cleaned texts (text.Clean of
// Reviews[i]), cleaned once and shared by the EDA, training and scoring.
type Corpus struct {
	Reviews []data.Review
	Cleaned []string
}

// NewCorpus cleans reviews (progress may be nil).
func NewCorpus(reviews []data.Review, progress func(done, total int)) Corpus {
	raw := make([]string, len(reviews))
	for i, r := range reviews {
		raw[i] = r.Text
	}
	return Corpus{Reviews: reviews, Cleaned: text.CleanAll(raw, progress)}
}

// SplitSpec is how a model's data was split: data.Split's seeded test
// share, then the first TrainLimit training reviews (0 = all).
type SplitSpec struct {
	Seed       uint64
	TestFrac   float64
	TrainLimit int
}

// Texts are a split's cleaned texts and labels.
type Texts struct {
	TrainX, TestX []string
	TrainY, TestY []float32
	TrainHash     string // data.Hash of the training reviews, for provenance
}

// Split splits the corpus as data.Split does (the same reviews land in
// test) and keeps the first TrainLimit training reviews.
func (c Corpus) Split(sp SplitSpec) (*Texts, error) {
	if len(c.Cleaned) != len(c.Reviews) {
		return nil, fmt.Errorf("corpus: %d cleaned texts for %d reviews", len(c.Cleaned), len(c.Reviews))
	}
	if sp.TrainLimit < 0 {
		return nil, fmt.Errorf("training subset size %d is negative", sp.TrainLimit)
	}
	n := len(c.Reviews)
	if !(sp.TestFrac > 0 && sp.TestFrac < 1) {
		return nil, fmt.Errorf("split: test fraction %v out of range (0, 1)", sp.TestFrac)
	}
	// data.Split's rule, on indices, so the cleaned texts follow.
	var trainR []data.Review
	t := &Texts{}
	nTest := int(math.Ceil(sp.TestFrac * float64(n)))
	if nTest == 0 || nTest >= n {
		return nil, fmt.Errorf("split: %d reviews at test fraction %v leave no training or no test rows", n, sp.TestFrac)
	}
	for i, j := range data.Permutation(n, sp.Seed) {
		x, y := c.Cleaned[j], float32(c.Reviews[j].Label)
		if i < n-nTest {
			if sp.TrainLimit == 0 || len(t.TrainX) < sp.TrainLimit {
				t.TrainX, t.TrainY = append(t.TrainX, x), append(t.TrainY, y)
				trainR = append(trainR, c.Reviews[j])
			}
		} else {
			t.TestX, t.TestY = append(t.TestX, x), append(t.TestY, y)
		}
	}
	t.TrainHash = data.Hash(trainR)
	return t, nil
}

// Prepared is a split made ready for a model: a tokenizer fitted on the
// training texts only, both sets encoded and padded.
type Prepared struct {
	Config      nn.Config // the plan's, with Vocab cut to the words the corpus has
	Tok         *text.Tokenizer
	Train, Test train.Set
	TrainHash   string
}

// Prepare fits the tokenizer (cfg.Vocab words) on the training texts and
// encodes both sets. A small corpus has fewer words than num_words: the
// vocabulary is cut to them, since rows past them would never train and
// the model file stores one word per row.
func Prepare(t *Texts, cfg nn.Config) (*Prepared, error) {
	tok := text.FitTokenizer(t.TrainX, cfg.Vocab)
	if n := tok.NumWords(); n < cfg.Vocab {
		cfg.Vocab = n
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Prepared{Config: cfg, Tok: tok, TrainHash: t.TrainHash}
	var err error
	if p.Train, err = train.Encode(tok, t.TrainX, t.TrainY, cfg); err != nil {
		return nil, err
	}
	if p.Test, err = train.Encode(tok, t.TestX, t.TestY, cfg); err != nil {
		return nil, err
	}
	return p, nil
}
