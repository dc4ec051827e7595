package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"sentilab/protocol"
)

// The class's live view (issue 14), the same on the teacher's screen and
// every student's: the experiment's grid filling in, as a heatmap when it
// sweeps two settings and as a table always, who ran each point, the best
// one and the spot checks that disagreed.

// axisNames are the sweepable settings' names as the page shows them.
var axisNames = map[string]string{
	"train.lr": "learning rate", "train.hidden": "LSTM units", "train.embed": "embedding width", "train.epochs": "epochs",
	"compress.alpha": "α", "compress.t": "T", "compress.final_sparsity": "final sparsity",
}

// AxisName is a sweep axis's name on the page.
func AxisName(param string) string {
	if n, ok := axisNames[param]; ok {
		return n
	}
	return param
}

// PointValues are the values of the experiment's axes at grid point index
// (the first axis slowest, as server/class expands it), as JSON text.
func PointValues(e protocol.Experiment, index int) []string {
	out := make([]string, len(e.Sweep))
	for a := len(e.Sweep) - 1; a >= 0; a-- {
		n := len(e.Sweep[a].Values)
		if n == 0 {
			return nil
		}
		out[a] = string(e.Sweep[a].Values[index%n])
		index /= n
	}
	return out
}

// PointLabel says what grid point index sets: "α 0.5, T 2".
func PointLabel(e protocol.Experiment, index int) string {
	vals := PointValues(e, index)
	parts := make([]string, len(vals))
	for a, v := range vals {
		parts[a] = AxisName(e.Sweep[a].Param) + " " + v
	}
	return strings.Join(parts, ", ")
}

// JobMetrics is what a student posts with a result (ClassResult.Metrics):
// the job's test scores and its last fit's curve.
type JobMetrics struct {
	Accuracy float64 `json:"accuracy"`
	Loss     float64 `json:"loss"`
	TestN    int     `json:"test_n"`
	Params   int     `json:"params"`
	NonZero  int     `json:"nonzero"`
	Seconds  float64 `json:"seconds"`
	History  []Epoch `json:"history,omitempty"`
}

// maxPostedEpochs bounds the curve posted with a result: the server takes
// at most 2 KiB of metrics.
const maxPostedEpochs = 8

// jobMetrics are a job's result as posted.
func jobMetrics(r *protocol.ClassJobResult) JobMetrics {
	h := r.History
	if len(h) > maxPostedEpochs {
		h = h[len(h)-maxPostedEpochs:]
	}
	round4 := func(x float64) float64 { return round(x, 6) }
	m := JobMetrics{Accuracy: r.Accuracy, Loss: r.Loss, TestN: r.TestN, Params: r.Params, NonZero: r.NonZero, Seconds: round(r.Seconds, 2)}
	for _, e := range h {
		m.History = append(m.History, Epoch{Epoch: e.Epoch, Loss: round4(e.Loss), Accuracy: round4(e.Accuracy),
			ValLoss: round4(e.ValLoss), ValAccuracy: round4(e.ValAccuracy), Seconds: round(e.Seconds, 2)})
	}
	return m
}

// readMetrics reads a posted result's metrics. Any student posts them, so
// they are read leniently: what does not parse is shown as missing.
func readMetrics(raw json.RawMessage) (JobMetrics, bool) {
	var m JobMetrics
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || math.IsNaN(m.Accuracy) || m.Accuracy < 0 || m.Accuracy > 1 {
		return JobMetrics{}, false
	}
	return m, true
}

// ClassRow is one grid point of the live view's table.
type ClassRow struct {
	Index    int
	JobID    int64
	Setting  string
	Accuracy string // "" before a result
	Student  string
	Check    string // "agrees", "MISMATCH" or ""
	Best     bool
	HasCurve bool
	Model    bool // its model file is on the server (Import)
}

// ClassRows are the table of status: one row per grid point, by index.
func ClassRows(st *protocol.ClassStatus) []ClassRow {
	names := map[int64]string{}
	for _, s := range st.Students {
		names[s.ID] = s.Name
	}
	rows := make([]ClassRow, st.Jobs)
	for i := range rows {
		rows[i] = ClassRow{Index: i, Setting: PointLabel(st.Experiment, i)}
	}
	best, _ := BestResult(st)
	for _, r := range st.Results {
		if r.Index < 0 || r.Index >= len(rows) {
			continue
		}
		row := &rows[r.Index]
		row.JobID, row.Student, row.Model = r.JobID, names[r.StudentID], r.Model
		row.Accuracy = "?"
		if m, ok := readMetrics(r.Metrics); ok {
			row.Accuracy, row.HasCurve = Pct(m.Accuracy), len(m.History) > 0
		}
		switch {
		case r.Mismatch:
			row.Check = "MISMATCH"
		case r.Checked:
			row.Check = "agrees"
		}
		row.Best = r.Index == best.Index && best.JobID != 0
	}
	return rows
}

// BestResult is the result with the highest test accuracy (the first such
// point on a tie); false if there is none.
func BestResult(st *protocol.ClassStatus) (protocol.GridResult, bool) {
	var best protocol.GridResult
	bestAcc, ok := -1.0, false
	for _, r := range st.Results {
		if m, good := readMetrics(r.Metrics); good && m.Accuracy > bestAcc {
			best, bestAcc, ok = r, m.Accuracy, true
		}
	}
	return best, ok
}

// ClassSummary is the live view's line: progress, the best point.
func ClassSummary(st *protocol.ClassStatus) string {
	s := fmt.Sprintf("%s: %d of %d grid points done, %d running, %d students.", strings.ToUpper(st.State[:1])+st.State[1:],
		len(st.Results), st.Jobs, st.Leased, activeStudents(st))
	if b, ok := BestResult(st); ok {
		m, _ := readMetrics(b.Metrics)
		s += fmt.Sprintf(" Best: %s, %s.", PointLabel(st.Experiment, b.Index), Pct(m.Accuracy))
	}
	mismatches := 0
	for _, r := range st.Results {
		if r.Mismatch {
			mismatches++
		}
	}
	if mismatches > 0 {
		s += fmt.Sprintf(" %d spot checks disagree: discard the wrong result.", mismatches)
	}
	return s
}

func activeStudents(st *protocol.ClassStatus) int {
	n := 0
	for _, s := range st.Students {
		if !s.Removed {
			n++
		}
	}
	return n
}

// ClassHeatmap is a two-axis experiment's results as an ECharts heatmap
// option: the second axis across, the first up, each cell the test
// accuracy (%); "" when the experiment does not sweep two settings.
func ClassHeatmap(st *protocol.ClassStatus) string {
	e := st.Experiment
	if len(e.Sweep) != 2 {
		return ""
	}
	var xs, ys []string
	for _, v := range e.Sweep[1].Values {
		xs = append(xs, string(v))
	}
	for _, v := range e.Sweep[0].Values {
		ys = append(ys, string(v))
	}
	cells := [][3]any{}
	for _, r := range st.Results {
		m, ok := readMetrics(r.Metrics)
		if !ok || r.Index < 0 || r.Index >= len(xs)*len(ys) {
			continue
		}
		cells = append(cells, [3]any{r.Index % len(xs), r.Index / len(xs), round(100*m.Accuracy, 2)})
	}
	xName, yName := AxisName(e.Sweep[1].Param), AxisName(e.Sweep[0].Param)
	return AccuracyHeatmap(fmt.Sprintf("Test accuracy (%%) by %s and %s", yName, xName), xName, yName, 64, xs, ys, cells)
}

// CellCurve is grid point index's posted curve as a line chart option, ""
// if it has none.
func CellCurve(st *protocol.ClassStatus, index int) string {
	for _, r := range st.Results {
		if r.Index != index {
			continue
		}
		m, ok := readMetrics(r.Metrics)
		if !ok || len(m.History) == 0 {
			return ""
		}
		var x []string
		var loss, acc, vloss, vacc []float64
		for _, e := range m.History {
			x = append(x, I(e.Epoch))
			loss, acc = append(loss, e.Loss), append(acc, e.Accuracy)
			vloss, vacc = append(vloss, e.ValLoss), append(vacc, e.ValAccuracy)
		}
		return LineChart("Point "+I(index+1)+": "+PointLabel(st.Experiment, index), "epoch", "",
			x, []string{"loss", "accuracy", "val loss", "val accuracy"}, [][]float64{loss, acc, vloss, vacc})
	}
	return ""
}
