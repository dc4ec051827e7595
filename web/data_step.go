package web

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// DataStep is step 1: load a dataset and show its exploratory analysis.
type DataStep struct {
	Lab      *Lab    // what the steps share
	Limit    int     // load only the first N reviews
	DataProg float64 // 0..1 while reading or cleaning
	EDA      *EDA

	// Progress between redraws (see dataProgress); only the goroutine
	// reading a request's progress touches these.
	phase string // of the last progress drawn
	drawn time.Time
}

func (c *DataStep) SetLimit(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	n, err := strconv.Atoi(ev.PropString("target", "value"))
	if err != nil || n < 0 {
		c.Lab.Err = "The number of reviews must be a whole number ≥ 0."
		return
	}
	c.Limit = n
}

func (c *DataStep) LoadFile() {
	defer c.Lab.guard()
	c.Lab.async("loading the file", func() error {
		name, buf, size, err := c.Lab.Br.ReadFile("data-file")
		if err != nil {
			return err
		}
		c.Lab.update(func() { c.Lab.Status = fmt.Sprintf("Reading %s (%s)…", name, kb(float64(size))) })
		c.Lab.keepFile(name, buf, size)
		return c.load(protocol.LoadDataRequest{Name: name, Limit: c.Limit}, buf)
	})
}

func (c *DataStep) LoadServer() {
	defer c.Lab.guard()
	c.Lab.async("loading the server's dataset", func() error {
		c.Lab.update(func() { c.Lab.Status = "Downloading the server's dataset…" })
		return c.load(protocol.LoadDataRequest{URL: "api/data", Name: "server dataset", Limit: c.Limit}, nil)
	})
}

// load loads a dataset into the engine, then computes its EDA. The
// reader's limits are sized to this tab (withLimits), for every load,
// restoring the lab's too.
func (c *DataStep) load(req protocol.LoadDataRequest, buf any) error {
	req = withLimits(req)
	var d DataInfo
	if _, err := ask(c.Lab.Eng, protocol.TypeLoadData, req, buf, &d, nil, c.dataProgress); err != nil {
		return err
	}
	c.Lab.update(func() {
		c.Lab.Data, c.EDA = &d, nil
		c.Lab.dataLoaded(req)
		c.Lab.Status = fmt.Sprintf("Loaded %d reviews. Computing the EDA…", d.Rows)
	})
	var e EDA
	if _, err := ask(c.Lab.Eng, protocol.TypeEDA, nil, nil, &e, nil, c.dataProgress); err != nil {
		return err
	}
	c.Lab.update(func() {
		c.EDA, c.DataProg = &e, 1
		for id, opt := range edaCharts(&e) {
			c.Lab.Charts[id] = opt
		}
		c.Lab.Status = fmt.Sprintf("EDA of %d reviews ready.", e.Rows)
	})
	return nil
}

func (c *DataStep) dataProgress(p json.RawMessage) {
	var pr protocol.Progress
	if err := protocol.Decode("progress", p, &pr); err != nil {
		c.Lab.update(func() { c.Lab.Err = Clip(err.Error(), 300) })
		return
	}
	// As Lab.onProgress: redraw at most every redrawEvery, and on a new phase.
	if pr.Phase == c.phase && time.Since(c.drawn) < redrawEvery {
		return
	}
	c.phase, c.drawn = pr.Phase, time.Now()
	c.Lab.update(func() {
		if pr.Total > 0 {
			c.DataProg = math.Max(float64(pr.Done), float64(pr.Bytes)) / float64(pr.Total)
		}
		switch pr.Phase {
		case protocol.PhaseRead:
			c.Lab.Status = fmt.Sprintf("Reading: %.0f%%", 100*c.DataProg)
			if pr.Total == 0 { // a download of unknown length
				c.Lab.Status = fmt.Sprintf("Reading: %.1f MB", float64(pr.Bytes)/1e6)
			}
		case protocol.PhaseClean:
			c.Lab.Status = fmt.Sprintf("Cleaning the texts (the thesis's preprocessing): %.0f%%", 100*c.DataProg)
		case protocol.PhaseEDA:
			c.Lab.Status = fmt.Sprintf("Computing statistics and TF-IDF: %.0f%%", 100*c.DataProg)
		case protocol.PhaseFetch:
			c.Lab.Status = "Downloading…"
		}
	})
}

// edaCharts are the EDA's chart options by chart id (none for a dataset
// with one class).
func edaCharts(e *EDA) map[string]string {
	if len(e.Classes) < 2 {
		return nil
	}
	names := []string{e.Classes[0].Sentiment, e.Classes[1].Sentiment}
	out := map[string]string{}
	out["wc"] = HistogramChart("Words per review (cleaned)", "words", "reviews", names, []Histogram{e.Classes[0].WordCountHist, e.Classes[1].WordCountHist})
	out["cl"] = HistogramChart("Characters per review (cleaned)", "characters", "reviews", names, []Histogram{e.Classes[0].CharLengthHist, e.Classes[1].CharLengthHist})
	var x []string
	var y []float64
	for _, p := range e.WordCountPercentiles {
		x = append(x, fmt.Sprintf("%d%%", p.P))
		y = append(y, p.Value)
	}
	out["pct"] = LineChart("Word-count percentiles", "percentile", "words", x, []string{"words"}, [][]float64{y})
	var terms []string
	var scores []float64
	for _, t := range e.TFIDF.Top {
		terms = append(terms, t.Term)
		scores = append(scores, t.Score)
	}
	out["tfidf"] = BarChart("TF-IDF top terms (mean over reviews)", "mean TF-IDF", terms, scores)
	return out
}

func (c *DataStep) DataSummary() string {
	if c.Lab.Data == nil {
		return "No data loaded yet."
	}
	d := c.Lab.Data
	return fmt.Sprintf("%s: %d reviews (%d positive, %d negative).", d.Name, d.Rows, d.Positive, d.Negative)
}

// ShownPercentile: the page lists the 5th, 50th and 95th percentiles.
func ShownPercentile(p protocol.Percentile) bool { return p.P == 5 || p.P == 50 || p.P == 95 }

// CloudWord is a word of a word cloud, sized by frequency.
type CloudWord struct {
	Word  string
	Style string
	Title string
}

// Cloud returns the 60 most frequent words of class k, sized 12-40 px by
// the square root of their count.
func (c *DataStep) Cloud(k int) []CloudWord {
	if c.EDA == nil || k >= len(c.EDA.Classes) {
		return nil
	}
	ws := c.EDA.Classes[k].TopWords
	if len(ws) > 60 {
		ws = ws[:60]
	}
	if len(ws) == 0 {
		return nil
	}
	top := math.Sqrt(float64(ws[0].Count))
	out := make([]CloudWord, len(ws))
	for i, w := range ws {
		px := 12 + 28*math.Sqrt(float64(w.Count))/top
		out[i] = CloudWord{w.Word, fmt.Sprintf("font-size:%.0fpx", px), fmt.Sprintf("%s: %d", w.Word, w.Count)}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Word < out[j].Word })
	return out
}

// HygieneLine reports the loaded data's duplicates and contradictory texts
// (the reader's hygiene, issue 11): a duplicate that lands on both sides of
// a split inflates the test score.
func (c *DataStep) HygieneLine() string {
	if c.Lab.Data == nil {
		return ""
	}
	h := c.Lab.Data.Hygiene
	if h.DuplicateReviews == 0 && h.ContradictoryTexts == 0 {
		return "No duplicate reviews, no text labelled both ways."
	}
	return fmt.Sprintf("Duplicates: %d review(s) repeat an earlier text (%d distinct text(s) occur more than once); %d text(s) are labelled both positive and negative.",
		h.DuplicateReviews, h.DuplicateTexts, h.ContradictoryTexts)
}
