package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"sentilab/protocol"
)

// The α×T distillation grid (the thesis's 7×7): every pair of the chosen α
// and T values is one distillation of the chosen teacher, scored on its
// test split, drawn as a heatmap while it fills. Finished cells are kept
// (and saved in the LabRecord), so a canceled grid resumes where it
// stopped: a second click runs only the missing cells.

// gridMax is the largest side of the grid: the thesis's 7 values each.
const gridMax = 7

// DistillGrid is a grid's settings and its finished cells. Cells belong to
// the teacher, fine-tuning epochs and student widths they were run with.
type DistillGrid struct {
	Teacher string     `json:"teacher"`
	Epochs  int        `json:"epochs"`
	Embed   int        `json:"embed"`
	Hidden  int        `json:"hidden"`
	Alphas  []float64  `json:"alphas"`
	Ts      []float64  `json:"ts"`
	Cells   []GridCell `json:"cells,omitempty"`
}

// GridCell is one finished distillation: its α, T, the test accuracy of
// the student and the variant it made.
type GridCell struct {
	Alpha    float64 `json:"alpha"`
	T        float64 `json:"t"`
	Accuracy float64 `json:"accuracy"`
	Variant  string  `json:"variant"`
}

// ParseGridValues reads a comma-separated list of 1 to gridMax distinct
// numbers in [lo, hi] (what names the list in errors).
func ParseGridValues(what, s string, lo, hi float64) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(v) || v < lo || v > hi {
			return nil, fmt.Errorf("%s: %q is not a number in [%g, %g]", what, f, lo, hi)
		}
		for _, w := range out {
			if w == v {
				return nil, fmt.Errorf("%s: %g is given twice", what, v)
			}
		}
		out = append(out, v)
	}
	if len(out) == 0 || len(out) > gridMax {
		return nil, fmt.Errorf("%s: give 1 to %d comma-separated values, not %d", what, gridMax, len(out))
	}
	return out, nil
}

// sameRun reports whether cells of g can be kept for a grid of h: the
// same teacher and training settings (the values may differ).
func (g *DistillGrid) sameRun(h *DistillGrid) bool {
	return g != nil && h != nil && g.Teacher == h.Teacher && g.Epochs == h.Epochs && g.Embed == h.Embed && g.Hidden == h.Hidden
}

// Cell is the finished cell at (alpha, t), if any.
func (g *DistillGrid) Cell(alpha, t float64) (GridCell, bool) {
	for _, c := range g.Cells {
		if c.Alpha == alpha && c.T == t {
			return c, true
		}
	}
	return GridCell{}, false
}

// Missing are the (α, T) pairs without a finished cell, row by row.
func (g *DistillGrid) Missing() [][2]float64 {
	var out [][2]float64
	for _, a := range g.Alphas {
		for _, t := range g.Ts {
			if _, ok := g.Cell(a, t); !ok {
				out = append(out, [2]float64{a, t})
			}
		}
	}
	return out
}

// Summary says how far the grid is and its best cell.
func (g *DistillGrid) Summary() string {
	n := len(g.Alphas) * len(g.Ts)
	done := n - len(g.Missing())
	s := fmt.Sprintf("%d of %d cells done (teacher %s).", done, n, g.Teacher)
	best, ok := GridCell{}, false
	for _, a := range g.Alphas {
		for _, t := range g.Ts {
			if c, found := g.Cell(a, t); found && (!ok || c.Accuracy > best.Accuracy) {
				best, ok = c, true
			}
		}
	}
	if ok {
		s += fmt.Sprintf(" Best: α %g, T %g, %s (%s).", best.Alpha, best.T, Pct(best.Accuracy), best.Variant)
	}
	return s
}

// HeatmapChart is the grid as an ECharts heatmap option: T across, α up,
// each finished cell coloured and labelled by its test accuracy (%);
// missing cells are left blank.
func HeatmapChart(g *DistillGrid) string {
	var xs, ys []string
	for _, t := range g.Ts {
		xs = append(xs, strconv.FormatFloat(t, 'g', -1, 64))
	}
	for _, a := range g.Alphas {
		ys = append(ys, strconv.FormatFloat(a, 'g', -1, 64))
	}
	cells := [][3]any{}
	for i, a := range g.Alphas {
		for j, t := range g.Ts {
			if c, ok := g.Cell(a, t); ok {
				cells = append(cells, [3]any{j, i, round(100*c.Accuracy, 2)})
			}
		}
	}
	return AccuracyHeatmap("Student test accuracy (%) by α and T", "temperature T", "α", 56, xs, ys, cells)
}

// RunGrid runs the grid's missing cells from the chosen teacher, each a
// distillation with the step's fine-tuning and student settings, filling
// the heatmap as cells finish. Cells of an earlier grid with the same
// teacher and settings are kept. Cancel stops the running cell; the
// finished ones stay.
func (c *CompressStep) RunGrid() {
	defer c.Lab.guard()
	alphas, err := ParseGridValues("α values", c.GridAlphas, 0, 1)
	if err == nil {
		var ts []float64
		ts, err = ParseGridValues("T values", c.GridTs, 0.1, 100)
		g := &DistillGrid{Teacher: c.source(), Epochs: c.CEpochs, Embed: c.CEmbed, Hidden: c.CHidden, Alphas: alphas, Ts: ts}
		if err == nil {
			if g.sameRun(c.Grid) {
				g.Cells = c.Grid.Cells
			}
			c.Grid = g
		}
	}
	if err != nil {
		c.Lab.Err = err.Error()
		return
	}
	g := c.Grid
	c.Lab.Charts["grid"] = HeatmapChart(g)
	todo := g.Missing()
	c.Lab.async("the α×T grid", func() error {
		for _, p := range todo {
			req := c.request(g.Teacher, "distill", false)
			req.Alpha, req.T = p[0], p[1]
			req.Name = fmt.Sprintf("%s-grid-a%g-t%g", g.Teacher, p[0], p[1])
			c.Lab.update(func() {
				c.Lab.Run.clear()
				c.GridNow = fmt.Sprintf("Running α %g, T %g…", p[0], p[1])
			})
			v, err := c.run(req)
			if err != nil {
				c.Lab.update(func() { c.GridNow = "" })
				if err.Error() == protocol.Canceled {
					c.Lab.update(func() { c.Lab.Status = "The grid stopped; its finished cells are kept. Run it again for the rest." })
					return nil
				}
				return err
			}
			if v.Metrics == nil {
				return fmt.Errorf("α %g, T %g: the engine did not score %s", p[0], p[1], v.Name)
			}
			c.Lab.update(func() {
				g.Cells = append(g.Cells, GridCell{Alpha: p[0], T: p[1], Accuracy: v.Metrics.Accuracy, Variant: v.Name})
				c.Lab.Charts["grid"] = HeatmapChart(g)
			})
		}
		c.Lab.update(func() { c.GridNow = "" })
		return nil
	})
}

// check returns what is wrong with a saved grid, "" if nothing: the same
// bounds as the inputs, and cells with an accuracy in [0, 1].
func (g *DistillGrid) check() string {
	in := func(xs []float64, lo, hi float64) bool {
		if len(xs) == 0 || len(xs) > gridMax {
			return false
		}
		for _, x := range xs {
			if math.IsNaN(x) || x < lo || x > hi {
				return false
			}
		}
		return true
	}
	switch {
	case g.Teacher == "":
		return "no teacher"
	case !in(g.Alphas, 0, 1):
		return fmt.Sprintf("α values %v: want 1 to %d in [0, 1]", g.Alphas, gridMax)
	case !in(g.Ts, 0.1, 100):
		return fmt.Sprintf("T values %v: want 1 to %d in [0.1, 100]", g.Ts, gridMax)
	case len(g.Cells) > gridMax*gridMax:
		return fmt.Sprintf("%d cells, more than %d", len(g.Cells), gridMax*gridMax)
	}
	for _, c := range g.Cells {
		if math.IsNaN(c.Accuracy) || c.Accuracy < 0 || c.Accuracy > 1 {
			return fmt.Sprintf("cell α %g, T %g: accuracy %g outside [0, 1]", c.Alpha, c.T, c.Accuracy)
		}
	}
	return ""
}
