package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"sentilab/protocol"
)

// Reader is the state of the Try step's "watch the LSTM read" view
// (read-view.vugu): the engine's explain reply for one or two of the chosen
// models, and the word lists the page draws outside Vugu's render buffer.
type Reader struct {
	Lab    *Lab
	Try    *TryStep
	Result *protocol.ExplainResult
	Div    []Divergence // where the second model's running sentiment leaves the first's
	Note   string       // which models were read, when more were chosen
	words  map[string]string
	drawn  int // increments with every reply: the words' version in the page
}

// Reader returns the step's read view, wired to it.
func (c *TryStep) Reader() *Reader {
	c.Read.Lab, c.Read.Try = c.Lab, c
	return &c.Read
}

// ReadView shows a Reader.
type ReadView struct {
	R *Reader
}

// readWordsID is the element the page draws reading i's words into.
func readWordsID(i int) string { return "read-words-" + strconv.Itoa(i) }

// Read asks the engine how the first one or two chosen models read the
// review.
func (r *Reader) Read() {
	defer r.Lab.guard()
	chosen := r.Try.chosenVariants()
	if len(chosen) == 0 {
		r.Lab.Err = "Choose one or two models to watch them read."
		return
	}
	note := ""
	if len(chosen) > 2 {
		note = fmt.Sprintf("%d models are chosen; reading the first two: %s and %s.", len(chosen), chosen[0], chosen[1])
		chosen = chosen[:2]
	}
	req := protocol.ExplainRequest{Text: r.Try.Review, Variants: chosen, Act7: r.Try.Lab.S.Act7}
	r.Lab.async("reading", func() error {
		var res protocol.ExplainResult
		if _, err := ask(r.Lab.Eng, protocol.TypeExplain, req, nil, &res, nil, nil); err != nil {
			return err
		}
		r.Lab.update(func() {
			r.show(&res)
			r.Note = note
			r.Lab.Status = fmt.Sprintf("Read the review with %s.", strings.Join(chosen, " and "))
		})
		return nil
	})
}

// show takes an explain reply: the divergence, the charts and the words.
func (r *Reader) show(res *protocol.ExplainResult) {
	r.Result, r.Div = res, nil
	for k := range r.Lab.Charts {
		if strings.HasPrefix(k, "read-") {
			delete(r.Lab.Charts, k)
		}
	}
	rs := res.Readings
	if len(rs) == 2 {
		r.Div = Diverge(rs[0], rs[1])
	}
	r.Lab.Charts["read-sentiment"] = SentimentChart(rs, r.Div)
	r.words = map[string]string{}
	r.drawn++
	for i, rd := range rs {
		id := strconv.Itoa(i)
		r.Lab.Charts["read-gates-"+id] = GatesChart(rd)
		r.Lab.Charts["read-cell-"+id] = CellChart(rd)
		marked := map[int]bool{}
		if i == 0 {
			for _, d := range r.Div {
				marked[d.Step] = true
			}
		}
		r.words[readWordsID(i)] = WordsHTML(rd, marked)
	}
}

// wordsPainter is the browser's bridge for the word lists (read_words_js.go):
// key is the list's version, so an unchanged list is not redrawn.
type wordsPainter interface {
	DrawWords(id, key, html string)
}

// afterRender draws the word lists (Root.AfterRender): a long review's
// spans are far more than Vugu's 16 KB render buffer holds.
func (r *Reader) afterRender(br Browser) {
	p, ok := br.(wordsPainter)
	if !ok {
		return
	}
	for id, h := range r.words {
		p.DrawWords(id, strconv.Itoa(r.drawn), h)
	}
}

// ChartIDs are the per-model charts of one kind ("gates", "cell").
func (r *Reader) ChartIDs(kind string) []string {
	var ids []string
	if r.Result != nil {
		for i := range r.Result.Readings {
			ids = append(ids, "read-"+kind+"-"+strconv.Itoa(i))
		}
	}
	return ids
}

// Check is a reading's numbers in a sentence: the last step against the
// prediction, and integrated gradients' completeness.
func Check(rd protocol.Reading) string {
	diff := float64(rd.IGLogit) - float64(rd.BaselineLogit)
	s := fmt.Sprintf("%s: %s (%s). After the last step the running sentiment is %s; the model predicts %s. ",
		rd.Variant, stepsRead(rd), cutNote(rd), F(float64(rd.Sentiment[len(rd.Sentiment)-1]), 6), F(rd.Prediction, 6))
	s += fmt.Sprintf("Σ IGₜ = %s and F(x) − F(x′) = %s: completeness holds to %s%% (%d points on the path, each a forward and backward pass; first grid m = %d, trapezoid rule; %s in all).",
		F(sum32(rd.Attribution), 4), F(diff, 4), F(100*rd.Completeness, 3), rd.IGPoints, rd.IGSteps, Latency(rd.MS))
	if rd.Weights != "float32" {
		s += " Read with " + rd.Weights + "."
	}
	return s
}

// stepsRead counts a reading's steps: words, and padding if it reads any.
func stepsRead(rd protocol.Reading) string {
	pads := 0
	for _, w := range rd.Words {
		if isPad(w) {
			pads++
		}
	}
	if pads == 0 {
		return fmt.Sprintf("%d words read", rd.Steps)
	}
	return fmt.Sprintf("%d steps read: %d words and %d padding", rd.Steps, rd.Steps-pads, pads)
}

func cutNote(rd protocol.Reading) string {
	pads := 0
	for _, w := range rd.Words {
		if isPad(w) {
			pads++
		}
	}
	var parts []string
	if rd.Cut > 0 {
		parts = append(parts, fmt.Sprintf("%d words past max_len %d not read", rd.Cut, rd.MaxLen))
	}
	if pads > 0 {
		parts = append(parts, fmt.Sprintf("this model has no masking, so it also reads %d padding steps, and they change its answer", pads))
	}
	if len(parts) == 0 {
		return "stop words removed, as in training"
	}
	return strings.Join(parts, "; ")
}

func sum32(xs []float32) float64 {
	s := 0.0
	for _, x := range xs {
		s += float64(x)
	}
	return s
}

// Last is a reading's running sentiment after its last step, as a data
// attribute for the tests (float32 printed exactly).
func Last(rd protocol.Reading) string {
	return strconv.FormatFloat(float64(rd.Sentiment[len(rd.Sentiment)-1]), 'g', -1, 32)
}

// G prints a number exactly, for data attributes.
func G(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// DivergeText says where the second model changes its mind.
func (r *Reader) DivergeText() string {
	rs := r.Result.Readings
	if len(r.Div) == 0 {
		return fmt.Sprintf("%s and %s never differ by more than %g after any word.", rs[0].Variant, rs[1].Variant, DivergeThreshold)
	}
	var ws []string
	for _, d := range r.Div[:min(len(r.Div), 12)] {
		ws = append(ws, fmt.Sprintf("%s (%s → %s)", Clip(d.Word, 24), F(float64(d.PA), 2), F(float64(d.PB), 2)))
	}
	more := ""
	if len(r.Div) > 12 {
		more = fmt.Sprintf(" and %d more", len(r.Div)-12)
	}
	return fmt.Sprintf("%s changes its mind here: after %d word(s) its running sentiment differs from %s's by more than %g (outlined in %s's words above; %s → %s): %s%s.",
		rs[1].Variant, len(r.Div), rs[0].Variant, DivergeThreshold, rs[0].Variant, rs[0].Variant, rs[1].Variant, strings.Join(ws, ", "), more)
}

// MaxAttr is the largest |IGₜ| of a reading: the legend's full colour.
func MaxAttr(rd protocol.Reading) string {
	m := 0.0
	for _, a := range rd.Attribution {
		m = math.Max(m, math.Abs(float64(a)))
	}
	return F(m, 3)
}
