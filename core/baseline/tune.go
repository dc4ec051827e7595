package baseline

import (
	"context"
	"fmt"
	"slices"

	"sentilab/core/data"
)

// TunePoint is one C tried by TuneC and how it did on the validation reviews.
type TunePoint struct {
	C           float64 `json:"c"`
	ValAccuracy float64 `json:"val_accuracy"`
	ValLoss     float64 `json:"val_loss"` // mean cross-entropy
	Iterations  int     `json:"iterations"`
}

// TuneC chooses C on a validation split: the last valFrac of reviews (as
// Keras's validation_split, and `lab train`, hold out) is set aside, the
// vocabulary and features are built from the rest once, and the weights
// are fitted for each C from zero (not warm-started from the previous C:
// the tolerance is on the gradient of the mean loss, and moving from C to
// 3C changes that gradient by less than the tolerance, so a warm start
// would stop at once and every C would score alike). It returns every
// point and the C with the lowest validation loss (the smallest such C on a
// tie: the simpler model). Loss, not accuracy: on IMDB the accuracies of
// C = 10, 30 and 100 differ by a few of the 4,000 validation reviews, noise
// that accuracy would follow, while the loss has a clear minimum (C = 30).
func TuneC(ctx context.Context, reviews []string, labels []int, opt Options, cs []float64, valFrac float64) ([]TunePoint, float64, error) {
	if len(cs) == 0 {
		return nil, 0, fmt.Errorf("no C values to try")
	}
	cs = slices.Clone(cs)
	slices.Sort(cs)
	for _, c := range cs {
		o := opt
		o.C = c
		if err := o.Validate(); err != nil {
			return nil, 0, err
		}
	}
	opt = opt.withDefaults()
	nTrain, err := data.ValidationSplit(len(reviews), valFrac)
	if err != nil {
		return nil, 0, err
	}
	if valFrac == 0 {
		return nil, 0, fmt.Errorf("validation share 0: TuneC needs held-out reviews")
	}
	y, err := labels01(labels, len(reviews))
	if err != nil {
		return nil, 0, err
	}
	terms, idf, corp, err := fitVocabulary(ctx, reviews[:nTrain], opt.Config, opt.MaxTerms, opt.MinDF, nil)
	if err != nil {
		return nil, 0, err
	}
	m, err := New(opt.Config, terms, idf, make([]float32, len(terms)), 0)
	if err != nil {
		return nil, 0, err
	}
	xt, err := corp.rows(ctx, m, nil)
	if err != nil {
		return nil, 0, err
	}
	xv, err := vectorizeAll(ctx, m, reviews[nTrain:], nil) // under the training part's vocabulary and IDF
	if err != nil {
		return nil, 0, err
	}
	yv := y[nTrain:]
	theta := make([]float64, len(terms)+1)
	var points []TunePoint
	best := 0
	for i, c := range cs {
		o := opt
		o.C = c
		clear(theta)
		r, err := fitTheta(ctx, xt, y[:nTrain], theta, o)
		if err != nil {
			return nil, 0, err
		}
		p := TunePoint{C: c, Iterations: r.Iterations}
		for k := 0; k < xv.n(); k++ {
			idx, val := xv.row(k)
			z := theta[len(terms)]
			for q, j := range idx {
				z += theta[j] * float64(val[q])
			}
			p.ValLoss += softplus(z) - yv[k]*z
			if (z > 0) == (yv[k] == 1) {
				p.ValAccuracy++
			}
		}
		p.ValLoss /= float64(xv.n())
		p.ValAccuracy /= float64(xv.n())
		points = append(points, p)
		if p.ValLoss < points[best].ValLoss {
			best = i
		}
		if opt.Progress != nil {
			opt.Progress(Progress{Stage: "tune", Done: i + 1, Total: len(cs), Loss: p.ValLoss})
		}
	}
	return points, cs[best], nil
}
