package compress

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// ThesisAlphas and ThesisTemps are the thesis's distillation grid.
var (
	ThesisAlphas = []float64{0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95}
	ThesisTemps  = []float64{0.75, 1, 1.25, 1.5, 2, 3, 5}
)

// GridCell is one finished (α, T) run of a distillation grid search.
type GridCell struct {
	Alpha        float64 `json:"alpha"`
	T            float64 `json:"temperature"`
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
	Seconds      float64 `json:"seconds"`
}

// ReadGrid reads the results a grid search has appended so far: one JSON
// object per line. A torn last line (a run killed mid-write) is ignored, so
// the search resumes with that cell.
func ReadGrid(r io.Reader) ([]GridCell, error) {
	var out []GridCell
	sc := bufio.NewScanner(r)
	line := 0
	var pending error
	for sc.Scan() {
		line++
		if pending != nil {
			return nil, pending
		}
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c GridCell
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			pending = fmt.Errorf("grid results line %d: %v", line, err)
			continue
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// GridTodo lists the (α, T) pairs of alphas × temps not yet in done.
func GridTodo(alphas, temps []float64, done []GridCell) [][2]float64 {
	have := map[[2]float64]bool{}
	for _, c := range done {
		have[[2]float64{c.Alpha, c.T}] = true
	}
	var todo [][2]float64
	for _, a := range alphas {
		for _, t := range temps {
			if !have[[2]float64{a, t}] {
				todo = append(todo, [2]float64{a, t})
			}
		}
	}
	return todo
}

// SortGrid orders cells by test accuracy, best first (the thesis's table).
func SortGrid(cells []GridCell) []GridCell {
	out := append([]GridCell(nil), cells...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].TestAccuracy > out[j].TestAccuracy })
	return out
}

// Heatmap is test accuracy by [alpha index][temperature index]; NaN-free:
// a missing cell is −1.
func Heatmap(alphas, temps []float64, cells []GridCell) [][]float64 {
	h := make([][]float64, len(alphas))
	for i, a := range alphas {
		h[i] = make([]float64, len(temps))
		for j, t := range temps {
			h[i][j] = -1
			for _, c := range cells {
				if c.Alpha == a && c.T == t {
					h[i][j] = c.TestAccuracy
				}
			}
		}
	}
	return h
}
