package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// LayersState is what the layer-by-layer views hold: the inspected variant
// and its tables in Compress, the two compared variants in Compare. It
// lives in Lab so it outlives the components.
type LayersState struct {
	Variant string // inspected in Compress ("" = the compress source)
	Reviews int    // sensitivity: test reviews evaluated
	Result  *protocol.LayersResult
	ReqID   int      // the running layers request, 0 when none
	Done    float64  // its progress, 0..1
	Keep    []string // "quantize all but": the tensors kept float32 (none: the engine picks the most sensitive)

	A, B    string // Compare: the two variants ("" = the first two)
	Hist    *protocol.HistogramsResult
	Diff    *protocol.DiffResult
	DiffErr string
}

// DefaultLayerReviews is the sensitivity table's default evaluation size
// (the engine's own default, stated in the view).
const DefaultLayerReviews = 2000

// LayersPanel is the Compress step's "layer by layer" panel.
type LayersPanel struct {
	Lab    *Lab
	Source string // the compress source, the default variant
}

func (c *LayersPanel) st() *LayersState { return &c.Lab.Layers }

// Name is the inspected variant.
func (c *LayersPanel) Name() string {
	if c.st().Variant != "" {
		return c.st().Variant
	}
	return c.Source
}

// ReviewsN is the evaluation size asked for.
func (c *LayersPanel) ReviewsN() int {
	if c.st().Reviews > 0 {
		return c.st().Reviews
	}
	return DefaultLayerReviews
}

func (c *LayersPanel) SetVariant(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.st().Variant = ev.PropString("target", "value")
}

func (c *LayersPanel) SetReviews(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	v := ev.PropString("target", "value")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		c.Lab.Err = fmt.Sprintf("reviews: %q is not a positive whole number", v)
		return
	}
	c.Lab.Err, c.st().Reviews = "", n
}

// ToggleKeep checks or unchecks tensor t in "keep in float32".
func (c *LayersPanel) ToggleKeep(t string, ev vugu.DOMEvent) {
	defer c.Lab.guard()
	st := c.st()
	keep := st.Keep[:0:0]
	for _, k := range st.Keep {
		if k != t {
			keep = append(keep, k)
		}
	}
	if ev.PropBool("target", "checked") {
		keep = append(keep, t)
	}
	st.Keep = keep
}

// Kept reports whether t is to stay float32.
func (c *LayersPanel) Kept(t string) bool {
	for _, k := range c.st().Keep {
		if k == t {
			return true
		}
	}
	return false
}

// Measure asks the engine for the inspected variant's per-tensor figures;
// with sensitivity, also the table on ReviewsN test reviews (needs data).
func (c *LayersPanel) Measure(sensitivity bool) {
	defer c.Lab.guard()
	st, name := c.st(), c.Name()
	req := protocol.LayersRequest{Variant: name, Sensitivity: sensitivity, Reviews: c.ReviewsN()}
	st.Done = 0
	c.Lab.async("layers of "+name, func() error {
		var r protocol.LayersResult
		progress := func(p json.RawMessage) {
			var cp protocol.CountProgress
			if protocol.Decode("progress", p, &cp) == nil && cp.Total > 0 {
				c.Lab.update(func() { st.Done = float64(cp.Done) / float64(cp.Total) })
			}
		}
		_, err := ask(c.Lab.Eng, protocol.TypeLayers, req, nil, &r, func(id int) { st.ReqID = id }, progress)
		c.Lab.update(func() {
			st.ReqID = 0
			if err != nil {
				return
			}
			st.Result, st.Done, st.Variant = &r, 1, name
			if r.MostSensitive != "" {
				st.Keep = []string{r.MostSensitive}
			}
			if r.Table != nil {
				c.Lab.Charts["layers-sens"] = SensitivityChart(r.Variant, r.Table)
				c.Lab.Status = fmt.Sprintf("Sensitivity of %s on %d reviews: base accuracy %s; most sensitive to int8: %s.", name, r.Table.N, Pct(r.Table.Accuracy), r.MostSensitive)
			} else {
				delete(c.Lab.Charts, "layers-sens")
				c.Lab.Status = fmt.Sprintf("Per-tensor storage errors of %s measured.", name)
			}
		})
		return err
	})
}

func (c *LayersPanel) Cancel() {
	defer c.Lab.guard()
	if id := c.st().ReqID; id != 0 {
		c.Lab.Eng.Cancel(id)
	}
}

// KeepText names what "quantize all but" keeps in float32.
func (c *LayersPanel) KeepText() string {
	var keep []string
	for _, t := range c.Matrices() { // in file order, as checked
		if c.Kept(t) {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		return "the most sensitive (ranked on 2,000 training reviews)"
	}
	return strings.Join(keep, ", ")
}

// Matrices are the tensors selective quantization can keep in float32.
func (c *LayersPanel) Matrices() []string {
	return []string{"embedding.weight", "lstm.kernel", "lstm.recurrent", "dense.weight"}
}

// QuantizeAllBut makes the selective variant of the inspected model: int8
// everywhere but KeepName, kept float32.
func (c *LayersPanel) QuantizeAllBut() {
	defer c.Lab.guard()
	name, keep := c.Name(), c.KeepText()
	var kept []string
	for _, t := range c.Matrices() {
		if c.Kept(t) {
			kept = append(kept, t)
		}
	}
	req := protocol.CompressRequest{Variant: name, Method: "selective", KeepFloat: kept}
	c.Lab.async("selective quantization of "+name, func() error {
		var r protocol.CompressResult
		if _, err := ask(c.Lab.Eng, protocol.TypeCompress, req, nil, &r, nil, nil); err != nil {
			return err
		}
		if r.Info == nil {
			return fmt.Errorf("the engine's compress reply names no model")
		}
		v := *r.Info
		c.Lab.update(func() {
			acc := "not scored"
			if v.Metrics != nil {
				acc = Pct(v.Metrics.Accuracy)
			}
			c.Lab.Status = fmt.Sprintf("Made %s: int8 except %s in float32, test accuracy %s, file %s.", v.Name, keep, acc, KB(v.FileBytes))
		})
		c.Lab.listVariants()
		return nil
	})
}

// LayerRow is one line of the layer table, formatted, with the raw numbers
// in data attributes (tests read those).
type LayerRow struct {
	Name, Shape, Int8, F16, Zeros, DAccInt8, DAccPrune string
	RawInt8, RawDAccInt8, RawDAccPrune, RawInt8Acc     string
	RawInt8Loss                                        string
}

// Rows are the table's lines.
func (c *LayersPanel) Rows() []LayerRow {
	r := c.st().Result
	if r == nil {
		return nil
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	var out []LayerRow
	for i, s := range r.Stats {
		row := LayerRow{Name: s.Name, Shape: fmt.Sprint(s.Shape), F16: relErrText(s.F16RMS, s.F16Max), Zeros: Pct(s.Sparsity), Int8: "stays float32",
			DAccInt8: "—", DAccPrune: "—", RawInt8: g(s.Int8RMS)}
		if s.Int8Stored {
			row.Int8 = relErrText(s.Int8RMS, s.Int8Max)
		}
		if t := r.Table; t != nil && i < len(t.Rows) {
			x := t.Rows[i]
			if x.Int8 {
				row.DAccInt8, row.RawDAccInt8, row.RawInt8Acc, row.RawInt8Loss = points(x.Int8DAcc), g(x.Int8DAcc), g(x.Int8Accuracy), g(x.Int8Loss)
			}
			if x.Prune {
				row.DAccPrune, row.RawDAccPrune = points(x.PruneDAcc), g(x.PruneDAcc)
			}
		}
		out = append(out, row)
	}
	return out
}

// Caption says what the table was measured on.
func (c *LayersPanel) Caption() string {
	r := c.st().Result
	if r == nil {
		return ""
	}
	if r.Table == nil {
		return "Per-tensor storage errors of " + r.Variant + " (no sensitivity yet: measure it with data loaded)."
	}
	return fmt.Sprintf("Layer by layer: %s, sensitivity on %s (accuracy %s, loss %s); pruning removes %s of one tensor.",
		r.Variant, r.Data, Pct(r.Table.Accuracy), F(r.Table.Loss, 4), Pct(r.Table.PruneSparsity))
}

// RawAccuracy and RawN are the table's base accuracy and reviews, exact
// (tests read them; "" before a sensitivity run).
func (c *LayersPanel) RawAccuracy() string {
	if r := c.st().Result; r != nil && r.Table != nil {
		return strconv.FormatFloat(r.Table.Accuracy, 'g', -1, 64)
	}
	return ""
}

func (c *LayersPanel) RawLoss() string {
	if r := c.st().Result; r != nil && r.Table != nil {
		return strconv.FormatFloat(r.Table.Loss, 'g', -1, 64)
	}
	return ""
}

func (c *LayersPanel) RawN() string {
	if r := c.st().Result; r != nil && r.Table != nil {
		return I(r.Table.N)
	}
	return ""
}

// relErrText is an error relative to the tensor's RMS: "RMS 0.50% · max 2.4%".
func relErrText(rms, mx float64) string {
	return "RMS " + F(100*rms, 3) + "% · max " + F(100*mx, 2) + "%"
}

// points is an accuracy change in percentage points.
func points(d float64) string { return fmt.Sprintf("%+.2f pts", 100*d) }

// LayersCompare is the Compare step's two-variant view: overlaid weight
// histograms and the per-tensor diff.
type LayersCompare struct {
	Lab *Lab
}

func (c *LayersCompare) st() *LayersState { return &c.Lab.Layers }

// Pair is the two variants compared: the chosen ones, or the first two.
func (c *LayersCompare) Pair() (a, b string) {
	st, vs := c.st(), c.Lab.Variants
	a, b = st.A, st.B
	if a == "" && len(vs) > 0 {
		a = vs[0].Name
	}
	if b == "" && len(vs) > 1 {
		b = vs[1].Name
	}
	return a, b
}

// A and B are the pair's names, for the selects.
func (c *LayersCompare) A() string { a, _ := c.Pair(); return a }
func (c *LayersCompare) B() string { _, b := c.Pair(); return b }

func (c *LayersCompare) SetA(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.st().A = ev.PropString("target", "value")
}

func (c *LayersCompare) SetB(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.st().B = ev.PropString("target", "value")
}

// HistBins is the histograms' bin count.
const HistBins = 40

// Run asks for the histograms and the diff of the pair.
func (c *LayersCompare) Run() {
	defer c.Lab.guard()
	a, b := c.Pair()
	if a == "" || b == "" {
		c.Lab.Err = "Compare needs two models: load or make another one."
		return
	}
	c.Lab.async("comparing "+a+" and "+b, func() error {
		var h protocol.HistogramsResult
		if _, err := ask(c.Lab.Eng, protocol.TypeHistograms, protocol.HistogramsRequest{A: a, B: b, Bins: HistBins}, nil, &h, nil, nil); err != nil {
			return err
		}
		var d protocol.DiffResult
		_, derr := ask(c.Lab.Eng, protocol.TypeDiff, protocol.DiffRequest{A: a, B: b}, nil, &d, nil, nil)
		c.Lab.update(func() {
			st := c.st()
			st.A, st.B, st.Hist, st.Diff, st.DiffErr = a, b, &h, nil, ""
			if derr != nil {
				st.DiffErr = Clip(derr.Error(), 300)
			} else {
				st.Diff = &d
			}
			for k := range c.Lab.Charts {
				if len(k) > 6 && k[:6] == "lhist-" {
					delete(c.Lab.Charts, k)
				}
			}
			for _, x := range h.Histograms {
				c.Lab.Charts["lhist-"+x.Name] = OverlayHistogramChart(a, b, x)
			}
			c.Lab.Status = fmt.Sprintf("Compared the weights of %s and %s.", a, b)
		})
		return nil
	})
}

// HistCharts are the chart ids of the overlaid histograms.
func (c *LayersCompare) HistCharts() []string {
	var ids []string
	if h := c.st().Hist; h != nil {
		for _, x := range h.Histograms {
			ids = append(ids, "lhist-"+x.Name)
		}
	}
	return ids
}

// DiffRow is one line of the diff table; Raw* are exact, for tests.
type DiffRow struct {
	Name, Size, Share, Max, RMS string
	RawChanged, RawMax, RawRMS  string
}

func (c *LayersCompare) DiffRows() []DiffRow {
	d := c.st().Diff
	if d == nil {
		return nil
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	var out []DiffRow
	for _, x := range d.Changes {
		out = append(out, DiffRow{Name: x.Name, Size: Thousands(x.Size), Share: Pct(x.Share), Max: strconv.FormatFloat(x.MaxAbs, 'e', 3, 64),
			RMS: strconv.FormatFloat(x.RMS, 'e', 3, 64), RawChanged: I(x.Changed), RawMax: g(x.MaxAbs), RawRMS: g(x.RMS)})
	}
	return out
}

// DiffCaption names the two variants.
func (c *LayersCompare) DiffCaption() string {
	d := c.st().Diff
	if d == nil {
		return ""
	}
	return "What changed from " + d.A + " to " + d.B + ", tensor by tensor"
}
