package web

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// TryStep is step 5: score a review with the chosen models (kept in the
// URL) and see which words moved the score.
type TryStep struct {
	Lab *Lab // what the steps share
	// Review is the typed review. It reaches the page's textarea through
	// Root.AfterRender, never through Vugu's 16 KB render buffer.
	Review      string
	Predictions []Prediction
	Read        Reader // "watch the LSTM read" (read_view.go)
}

const defaultReview = "One of the best films I have seen this year: moving, funny and beautifully acted."

func (c *TryStep) SetReview(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.Review = ev.PropString("target", "value")
}

// Chosen reports whether variant name is among the chosen ones (none
// chosen = all).
func (c *TryStep) Chosen(name string) bool {
	return len(c.Lab.S.Variants) == 0 || slices.Contains(c.Lab.S.Variants, name)
}

// ToggleVariant adds or removes a variant from the chosen ones (kept in the
// URL, so a teacher's link names the variants to compare).
func (c *TryStep) ToggleVariant(name string) {
	defer c.Lab.guard()
	c.Lab.S.Variants = toggle(c.Lab.S.Variants, c.Lab.Variants, name)
	c.Lab.saveURL()
}

// toggle adds name to chosen or removes it; none chosen means all of vs.
func toggle(chosen []string, vs []VariantInfo, name string) []string {
	if len(chosen) == 0 {
		for _, v := range vs {
			chosen = append(chosen, v.Name)
		}
	}
	if i := slices.Index(chosen, name); i >= 0 {
		return append(chosen[:i:i], chosen[i+1:]...)
	}
	return append(chosen, name)
}

func (c *TryStep) chosenVariants() []string {
	var out []string
	for _, v := range c.Lab.Variants {
		if c.Chosen(v.Name) {
			out = append(out, v.Name)
		}
	}
	return out
}

func (c *TryStep) Predict() {
	defer c.Lab.guard()
	text := c.Review
	chosen := c.chosenVariants()
	if len(chosen) == 0 && len(c.Lab.Variants) > 0 {
		c.Lab.Err = "Choose at least one model to score with."
		return
	}
	if len(c.Lab.S.Variants) == 0 {
		chosen = nil // none chosen = all: every model the engine has now
	}
	c.Lab.async("predicting", func() error {
		var r protocol.PredictResult
		req := protocol.PredictRequest{Text: text, Explain: true, Variants: chosen, Act7: c.Lab.S.Act7}
		if _, err := ask(c.Lab.Eng, protocol.TypePredict, req, nil, &r, nil, nil); err != nil {
			return err
		}
		c.Lab.update(func() {
			c.Predictions = r.Results
			c.Lab.Status = fmt.Sprintf("Scored the review with %d model(s).", len(r.Results))
		})
		return nil
	})
}

// HasInt8 says whether an int8 model is among the chosen ones: the 7-bit
// hidden state is theirs alone.
func (c *TryStep) HasInt8() bool {
	for _, v := range c.Lab.Variants {
		if v.Runtime == "int8" && c.Chosen(v.Name) {
			return true
		}
	}
	return false
}

// ToggleAct7 switches the int8 models' 7-bit hidden state (kept in the
// URL).
func (c *TryStep) ToggleAct7() {
	defer c.Lab.guard()
	c.Lab.S.Act7 = !c.Lab.S.Act7
	c.Lab.saveURL()
}

// Act7Note says what the 7-bit hidden state is, and whether this browser
// runs it fast.
func (c *TryStep) Act7Note() string {
	if c.Lab.Relaxed {
		return "Relaxed SIMD multiplies 16 bytes an instruction when the hidden state fits 7 bits: faster, and the scores move a little."
	}
	return "This browser has no relaxed SIMD: the 7-bit hidden state gives the same scores as where it has, but runs slower here than 8 bits."
}

// Moved lists the 8 words that moved the score most (a long review has
// up to 40 explained words; the cell stays readable and small).
func Moved(p Prediction) string {
	ws := append([]WordEffect(nil), p.Words...)
	sort.SliceStable(ws, func(i, j int) bool { return math.Abs(ws[i].Delta) > math.Abs(ws[j].Delta) })
	var parts []string
	for _, w := range ws[:min(len(ws), 8)] {
		parts = append(parts, fmt.Sprintf("%s %+.3f", Clip(w.Word, 40), w.Delta))
	}
	return strings.Join(parts, ", ")
}

// Latency shows a scoring time in a unit that does not round it to zero
// (a small model scores a review in a few microseconds).
func Latency(ms float64) string {
	switch {
	case ms <= 0:
		return "< 1 µs"
	case ms < 1:
		return F(ms*1000, 0) + " µs"
	default:
		return F(ms, 1) + " ms"
	}
}
