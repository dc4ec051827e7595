package web

import (
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"

	"sentilab/protocol"
)

// reading is a made-up reading of words (σ values given), attribution 0.1 a
// word, with hidden units of value u+t in the cell.
func reading(name string, words []string, sentiment []float32, padding string, maxLen, cut int) protocol.Reading {
	S, H := len(words), 2
	r := protocol.Reading{Variant: name, Weights: "float32", Words: words, Sentiment: sentiment, Steps: S, Hidden: H, MaxLen: maxLen,
		Padding: padding, Cut: cut, Cell: make([]float32, S*H)}
	kept := 0
	for _, w := range words {
		if !isPad(w) {
			kept++
		}
	}
	for t := range words {
		r.Positions = append(r.Positions, t)
		if padding == "pre" {
			r.Positions[t] = maxLen - kept + t
		}
		r.Attribution = append(r.Attribution, 0.1)
		r.Input = append(r.Input, 0.5)
		r.Forget = append(r.Forget, 0.5)
		r.Candidate = append(r.Candidate, 0)
		r.Output = append(r.Output, 0.5)
		for u := 0; u < H; u++ {
			r.Cell[t*H+u] = float32(u + t)
		}
	}
	r.Prediction = float64(sentiment[S-1])
	return r
}

func TestDivergeAlignsWords(t *testing.T) {
	a := reading("base", []string{"good", "film", "bad", "end"}, []float32{0.6, 0.7, 0.4, 0.3}, "post", 10, 0)
	// The same words read with pre padding (at the end of a row of 10),
	// and an unmasked model's padding after them.
	b := reading("small", []string{"good", "film", "bad", "end"}, []float32{0.65, 0.9, 0.2, 0.35}, "pre", 10, 0)
	d := Diverge(a, b)
	if len(d) != 2 || d[0].Step != 1 || d[0].Word != "film" || d[1].Step != 2 || d[1].PB != 0.2 {
		t.Fatalf("divergence %+v, want film and bad", d)
	}
	c := reading("thesis", []string{"good", "film", "(pad)", "(pad)"}, []float32{0.6, 0.7, 0.1, 0.1}, "post", 4, 0)
	if got := aligned(c, a); got[0] != float64(float32(0.6)) || got[1] != float64(float32(0.7)) || !math.IsNaN(got[2]) {
		t.Errorf("a's sentiment at the thesis model's steps: %v", got)
	}
	// Words cut by a shorter max_len with pre truncation: the last two of
	// four words kept, at positions 0 and 1 of a row of 2.
	e := reading("short", []string{"bad", "end"}, []float32{0.9, 0.9}, "pre", 2, 2)
	if got := aligned(a, e); !math.IsNaN(got[0]) || !math.IsNaN(got[1]) || got[2] != float64(float32(0.9)) {
		t.Errorf("a's words in the truncated reading: %v", got)
	}
}

func TestWordsHTML(t *testing.T) {
	r := reading("base", []string{"<b>good</b>", "film", "(pad)", "(pad)"}, []float32{0.6, 0.7, 0.5, 0.4}, "post", 4, 0)
	r.Attribution = []float32{0.5, -0.25, 0.125, 0.125}
	h := WordsHTML(r, map[int]bool{1: true})
	if strings.Contains(h, "<b>") || !strings.Contains(h, "&lt;b&gt;good&lt;/b&gt;") {
		t.Errorf("a word is not escaped: %s", h)
	}
	for _, want := range []string{`data-step="0" data-steps="1" data-attr="0.5"`, `class="rw rw-diverge" data-step="1"`,
		`rgba(22,163,74,1.00)`, `rgba(220,38,38,0.55)`, `data-step="2" data-steps="2" data-attr="0.25"`, `(pad) ×2`} {
		if !strings.Contains(h, want) {
			t.Errorf("no %q in %s", want, h)
		}
	}
}

func TestReadCharts(t *testing.T) {
	a := reading("base", []string{"good", "film", "bad"}, []float32{0.6, 0.7, 0.4}, "post", 10, 0)
	b := reading("small", []string{"good", "film", "bad"}, []float32{0.6, 0.9, 0.45}, "post", 10, 0)
	var opt struct {
		Series []struct {
			Type string `json:"type"`
			Data []any  `json:"data"`
		} `json:"series"`
		VisualMap struct{ Max float64 } `json:"visualMap"`
	}
	if err := json.Unmarshal([]byte(SentimentChart([]protocol.Reading{a, b}, Diverge(a, b))), &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.Series) != 3 || opt.Series[0].Data[2] != 0.4 || opt.Series[1].Data[1] != 0.9 || len(opt.Series[2].Data) != 1 {
		t.Errorf("sentiment series %+v, want base, small and one mark", opt.Series)
	}
	if err := json.Unmarshal([]byte(CellChart(a)), &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.Series) != 1 || opt.Series[0].Type != "heatmap" || len(opt.Series[0].Data) != 3*2 || opt.VisualMap.Max != 3 {
		t.Errorf("cell heatmap %+v, scale %v; want 6 cells, scale 3 (the 98th percentile of 0..3)", opt.Series, opt.VisualMap.Max)
	}
	if err := json.Unmarshal([]byte(GatesChart(a)), &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.Series) != 4 || len(opt.Series[1].Data) != 3 {
		t.Errorf("gate series %+v", opt.Series)
	}
}

// readEngine answers explain with two canned readings.
type readEngine struct {
	mu  sync.Mutex
	req protocol.ExplainRequest
}

func (e *readEngine) Cancel(int) {}
func (e *readEngine) Do(typ string, payload any, _ any, _ func(int), _ func(json.RawMessage)) (json.RawMessage, any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if typ != protocol.TypeExplain {
		return json.RawMessage(`{}`), nil, nil
	}
	e.req = payload.(protocol.ExplainRequest)
	a := reading(e.req.Variants[0], []string{"good", "<film>"}, []float32{0.6, 0.7}, "post", 10, 0)
	b := reading(e.req.Variants[1], []string{"good", "<film>"}, []float32{0.6, 0.2}, "post", 10, 0)
	out, err := json.Marshal(protocol.ExplainResult{Cleaned: "good <film>", Method: "ig", Formula: "IG", Readings: []protocol.Reading{a, b}})
	return out, nil, err
}

// wordsBrowser is the fake browser with the word-list bridge.
type wordsBrowser struct {
	*fakeBrowser
	words map[string]string
}

func (b *wordsBrowser) DrawWords(id, key, html string) { b.words[id] = key + ":" + html }

func TestReaderReadsTheFirstTwoChosen(t *testing.T) {
	eng := &readEngine{}
	br := &wordsBrowser{newFakeBrowser(), map[string]string{}}
	c := NewRoot(eng, br, newEnv())
	c.Charts = map[string]string{"read-cell-5": "stale", "scatter": "kept"}
	c.Variants = []VariantInfo{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	c.TryStep.Review = "good <film>"
	r := c.TryStep.Reader()
	r.Read()
	waitFor(t, c, "the reading", func() bool { return c.TryStep.Read.Result != nil })
	if got := strings.Join(eng.req.Variants, ","); got != "a,b" || eng.req.Text != "good <film>" {
		t.Errorf("asked for %q with %q, want a,b", got, eng.req.Text)
	}
	if !strings.Contains(r.Note, "reading the first two: a and b") {
		t.Errorf("note %q", r.Note)
	}
	for _, k := range []string{"read-sentiment", "read-gates-0", "read-gates-1", "read-cell-0", "read-cell-1", "scatter"} {
		if c.Charts[k] == "" {
			t.Errorf("no chart %s", k)
		}
	}
	if _, ok := c.Charts["read-cell-5"]; ok {
		t.Error("a chart of an earlier reading is still there")
	}
	if len(r.Div) != 1 || r.Div[0].Word != "<film>" || !strings.Contains(r.DivergeText(), "b changes its mind here") {
		t.Errorf("divergence %+v: %s", r.Div, r.DivergeText())
	}
	c.S.Step = "try"
	c.AfterRender()
	if w := br.words["read-words-0"]; !strings.HasPrefix(w, "1:") || !strings.Contains(w, "&lt;film&gt;") || !strings.Contains(w, "rw-diverge") {
		t.Errorf("words drawn: %q", w)
	}
	if Check(r.Result.Readings[0]) == "" || Last(r.Result.Readings[0]) != "0.7" {
		t.Errorf("check %q, last %q", Check(r.Result.Readings[0]), Last(r.Result.Readings[0]))
	}
}
