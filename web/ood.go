package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sentilab/protocol"
)

// The second dataset (issue 13): reviews of another domain, loaded beside
// the lab's own in the Data step and never trained on; every variant is
// scored on all of them, beside its in-domain figure in Compare.

// OODLab is the second dataset's state.
type OODLab struct {
	Data  *DataInfo         // the loaded second dataset, nil before
	Offer *protocol.Dataset // the server's second dataset (/api/datasets), nil if none
	Prog  float64           // 0..1 while loading or scoring
}

// loadDatasets asks the server which datasets it offers (/api/datasets);
// a server without one, or an older one, offers none.
func (l *Lab) loadDatasets() {
	txt, err := l.Br.FetchText("api/datasets")
	if err != nil {
		return
	}
	var d protocol.Datasets
	if protocol.Decode("api/datasets", []byte(txt), &d) != nil {
		return
	}
	for _, x := range d.Datasets {
		if x.Role == protocol.RoleOOD {
			x := x
			l.update(func() { l.OOD.Offer = &x })
			return
		}
	}
}

// OODOffer names the server's second dataset, "" if it has none.
func (l *Lab) OODOffer() string {
	if l.OOD.Offer == nil {
		return ""
	}
	return l.OOD.Offer.Name
}

// OODButton is the label of the button loading the server's second dataset.
func (l *Lab) OODButton() string { return "Load the server's " + l.OODOffer() }

// LoadOODServer loads the server's second dataset, then scores every model.
func (l *Lab) LoadOODServer() {
	defer l.guard()
	if l.OOD.Offer == nil {
		l.Err = "This server offers no second dataset."
		return
	}
	d := *l.OOD.Offer
	l.async("loading the second dataset", func() error {
		return l.loadOOD(protocol.LoadDataRequest{URL: d.URL, Name: d.Name}, nil)
	})
}

// LoadOODFile loads the user's second dataset file, then scores every model.
func (l *Lab) LoadOODFile() {
	defer l.guard()
	l.async("loading the second dataset", func() error {
		name, buf, size, err := l.Br.ReadFile("ood-file")
		if err != nil {
			return err
		}
		l.update(func() { l.Status = fmt.Sprintf("Reading %s (%s)…", name, kb(float64(size))) })
		return l.loadOOD(protocol.LoadDataRequest{Name: name}, buf)
	})
}

// loadOOD loads a second dataset into the engine, with the same limits as
// the first (withLimits), and scores every variant on it.
func (l *Lab) loadOOD(req protocol.LoadDataRequest, buf any) error {
	var d DataInfo
	var drawn time.Time // as Lab.onProgress: redraw at most every redrawEvery
	progress := func(p json.RawMessage) {
		var pr protocol.Progress
		if protocol.Decode("progress", p, &pr) == nil && pr.Total > 0 && time.Since(drawn) >= redrawEvery {
			drawn = time.Now()
			l.update(func() { l.OOD.Prog = float64(max(pr.Bytes, int64(pr.Done))) / float64(pr.Total) })
		}
	}
	if _, err := ask(l.Eng, protocol.TypeLoadOOD, withLimits(req), buf, &d, nil, progress); err != nil {
		return err
	}
	l.update(func() {
		l.OOD.Data = &d
		l.Status = fmt.Sprintf("Loaded the second dataset %s: %d reviews. Scoring every model on it…", d.Name, d.Rows)
	})
	return l.scoreOOD()
}

// ScoreOOD scores every model on the second dataset (a model added since
// it was loaded).
func (l *Lab) ScoreOOD() {
	defer l.guard()
	if l.OOD.Data == nil {
		l.Err = "Load a second dataset first (" + StepHeading("data") + ")."
		return
	}
	l.async("scoring out of domain", l.scoreOOD)
}

// scoreOOD runs evaluateOOD for every variant, then lists them again.
func (l *Lab) scoreOOD() error {
	l.listVariants()
	l.Env.Lock()
	var names []string
	for _, v := range l.Variants {
		names = append(names, v.Name)
	}
	l.Env.UnlockOnly()
	var done []string
	for i, n := range names {
		l.update(func() {
			l.Status = fmt.Sprintf("Scoring %s on the second dataset (%d of %d)…", n, i+1, len(names))
			l.OOD.Prog = float64(i) / float64(len(names))
		})
		var ev protocol.OODEvaluation
		if _, err := ask(l.Eng, protocol.TypeEvaluateOOD, protocol.VariantRequest{Variant: n}, nil, &ev, nil, nil); err != nil {
			return err
		}
		done = append(done, n+" "+Pct(ev.Accuracy))
	}
	l.listVariants()
	l.update(func() {
		l.OOD.Prog = 1
		if len(done) == 0 {
			l.Status = "No model to score yet: the second dataset is loaded; train or load a model, then score it."
			return
		}
		l.Status = Clip("Out of domain: "+strings.Join(done, ", ")+". Compare shows them beside the in-domain figures.", 600)
	})
	return nil
}

// OODSummary describes the loaded second dataset.
func (l *Lab) OODSummary() string {
	d := l.OOD.Data
	if d == nil {
		return "No second dataset loaded."
	}
	return fmt.Sprintf("Second dataset %s: %d reviews (%d positive, %d negative), never trained on.", d.Name, d.Rows, d.Positive, d.Negative)
}

// OODCell is a variant's out-of-domain accuracy with its change from the
// in-domain test accuracy ("74.12% (−13.40 points)"), or "".
func OODCell(v VariantInfo) string {
	if v.OOD == nil || v.OOD.Metrics == nil {
		return ""
	}
	s := Pct(v.OOD.Accuracy) + " on " + I(v.OOD.N)
	if v.Metrics != nil && v.Metrics.Accuracy > 0 {
		s += fmt.Sprintf(" (%+.2f points)", 100*(v.OOD.Accuracy-v.Metrics.Accuracy))
	}
	return s
}

// SpeedCell is a variant's scoring speed: reviews/s on the second dataset
// (the same reviews for every model), or the baseline's on its test split.
func SpeedCell(v VariantInfo) string {
	if v.OOD != nil && v.OOD.ReviewsPerSec > 0 {
		return F(v.OOD.ReviewsPerSec, 0)
	}
	return ""
}

// PaddingCell is an LSTM's padding side and length ("post 170"), "" for
// the baseline (it reads the whole review).
func PaddingCell(v VariantInfo) string {
	if IsBaseline(v) || v.Config.Padding == "" {
		return ""
	}
	return fmt.Sprintf("%s %d", v.Config.Padding, v.Config.MaxLen)
}

// OODScored are the variants with an out-of-domain score.
func (l *Lab) OODScored() []VariantInfo {
	var out []VariantInfo
	for _, v := range l.Variants {
		if v.OOD != nil && v.OOD.Metrics != nil {
			out = append(out, v)
		}
	}
	return out
}

// The comparison table's last columns (compare_step.go's comparisonRows):
// the padding side, the scoring speed and the out-of-domain accuracy.
var oodHeader = []string{"padding", "reviews_per_s", "out_of_domain"}

func oodCells(v VariantInfo) []string { return []string{PaddingCell(v), SpeedCell(v), OODCell(v)} }

// manifestOODCells are a server model's: its padding and, when `lab
// manifest` took them from `lab report --data-ood`, its out-of-domain
// accuracy.
func manifestOODCells(m PretrainedModel) []string {
	pad, ood := "", ""
	if m.Config.Padding != "" {
		pad = fmt.Sprintf("%s %d", m.Config.Padding, m.Config.MaxLen)
	}
	if a, ok := m.Metrics["ood_accuracy"]; ok {
		ood = Pct(a)
		if m.OODData != "" {
			ood += " on " + m.OODData
		}
	}
	return []string{pad, "", ood}
}
