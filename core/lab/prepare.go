package lab

import (
	"fmt"

	"sentilab/core/data"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
)

// Corpus is a dataset with its reviews' cleaned texts (text.Clean of
// Reviews[i]), cleaned once and shared by the EDA, training and scoring,
// or without them (Cleaned nil): then a split cleans the reviews it takes,
// each time. The browser keeps no second copy of the 50,000 texts (≈41 MB
// of a wasm memory that never shrinks, issue 11); cleaning them again costs
// about a second at each training run in the page.
type Corpus struct {
	Reviews []data.Review
	Cleaned []string
	// Cleaning, if set, runs every 256 reviews a split cleans; its error
	// (a cancel) stops the split.
	Cleaning func(done, total int) error
}

// NewCorpus cleans reviews (progress may be nil).
func NewCorpus(reviews []data.Review, progress func(done, total int)) Corpus {
	raw := make([]string, len(reviews))
	for i, r := range reviews {
		raw[i] = r.Text
	}
	return Corpus{Reviews: reviews, Cleaned: text.CleanAll(raw, progress)}
}

// SplitSpec is how a model's data was split: Rule's seeded test share
// (data.SplitIndices; "" is data.RulePermutation, the rule of files that
// record none), then the first TrainLimit training reviews (0 = all).
type SplitSpec struct {
	Seed       uint64
	TestFrac   float64
	TrainLimit int
	Rule       string
}

// rule is sp.Rule, "" read as the permutation split.
func (sp SplitSpec) rule() string {
	if sp.Rule == "" {
		return data.RulePermutation
	}
	return sp.Rule
}

// Describe says which reviews of n the split tests on, for a reader:
// "the test split (seed 42, 20%, grouped rule) of 5,000 reviews".
func (sp SplitSpec) Describe(n int) string {
	return fmt.Sprintf("the test split (seed %d, %v%%, %s rule) of %s reviews", sp.Seed, 100*sp.TestFrac, sp.rule(), Count(n))
}

// Texts are a split's cleaned texts and labels.
type Texts struct {
	TrainX, TestX []string
	TrainY, TestY []float32
	// TrainIndex and TestIndex are the rows' indexes in the corpus.
	TrainIndex, TestIndex []int

	trainR    []data.Review
	trainHash string
}

// TrainHash is data.Hash of the training reviews, for provenance. It is
// computed on first use: hashing 40,000 reviews costs more than scoring a
// small test split, which needs no hash.
func (t *Texts) TrainHash() string {
	if t.trainHash == "" {
		t.trainHash = data.Hash(t.trainR)
	}
	return t.trainHash
}

// Split splits the corpus by the spec's rule (the same reviews land in
// test as with data.Split or data.SplitGrouped) and keeps the first
// TrainLimit training reviews.
func (c Corpus) Split(sp SplitSpec) (*Texts, error) { return c.split(sp, true, true) }

// SplitTest is Split without the training texts (TrainX is nil): for
// scoring, which cleans only the test reviews.
func (c Corpus) SplitTest(sp SplitSpec) (*Texts, error) { return c.split(sp, false, true) }

// SplitRows is Split without texts: the rows, labels and training hash.
func (c Corpus) SplitRows(sp SplitSpec) (*Texts, error) { return c.split(sp, false, false) }

func (c Corpus) split(sp SplitSpec, trainX, testX bool) (*Texts, error) {
	if c.Cleaned != nil && len(c.Cleaned) != len(c.Reviews) {
		return nil, fmt.Errorf("corpus: %d cleaned texts for %d reviews", len(c.Cleaned), len(c.Reviews))
	}
	if sp.TrainLimit < 0 {
		return nil, fmt.Errorf("training subset size %d is negative", sp.TrainLimit)
	}
	trainIdx, testIdx, err := data.SplitIndices(c.Reviews, sp.TestFrac, sp.Seed, sp.rule())
	if err != nil {
		return nil, err
	}
	if sp.TrainLimit > 0 && len(trainIdx) > sp.TrainLimit {
		trainIdx = trainIdx[:sp.TrainLimit]
	}
	t := &Texts{TrainIndex: trainIdx, TestIndex: testIdx}
	trainR := make([]data.Review, len(trainIdx))
	for k, j := range trainIdx {
		t.TrainY = append(t.TrainY, float32(c.Reviews[j].Label))
		trainR[k] = c.Reviews[j]
	}
	for _, j := range testIdx {
		t.TestY = append(t.TestY, float32(c.Reviews[j].Label))
	}
	t.trainR = trainR
	var todo int
	if trainX {
		todo += len(trainIdx)
	}
	if testX {
		todo += len(testIdx)
	}
	done := 0
	var cl text.Cleaner
	texts := func(index []int) ([]string, error) {
		out := make([]string, len(index))
		for k, j := range index {
			if c.Cleaned != nil {
				out[k] = c.Cleaned[j]
				continue
			}
			if done%256 == 0 && c.Cleaning != nil {
				if err := c.Cleaning(done, todo); err != nil {
					return nil, err
				}
			}
			out[k] = cl.Clean(c.Reviews[j].Text)
			done++
		}
		return out, nil
	}
	if trainX {
		if t.TrainX, err = texts(trainIdx); err != nil {
			return nil, err
		}
	}
	if testX {
		if t.TestX, err = texts(testIdx); err != nil {
			return nil, err
		}
	}
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
	p := &Prepared{Config: cfg, Tok: tok, TrainHash: t.TrainHash()}
	var err error
	if p.Train, err = train.Encode(tok, t.TrainX, t.TrainY, cfg); err != nil {
		return nil, err
	}
	if p.Test, err = train.Encode(tok, t.TestX, t.TestY, cfg); err != nil {
		return nil, err
	}
	return p, nil
}
