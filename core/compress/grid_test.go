package compress

import (
	"strings"
	"testing"
)

func TestGridResume(t *testing.T) {
	log := `{"alpha":0.85,"temperature":1.5,"test_accuracy":0.81}
{"alpha":0.5,"temperature":1.25,"test_accuracy":0.83}
{"alpha":0.05,"tempera`
	done, err := ReadGrid(strings.NewReader(log))
	if err != nil || len(done) != 2 {
		t.Fatalf("%v, %d cells; want the 2 whole lines, torn last line ignored", err, len(done))
	}
	todo := GridTodo(ThesisAlphas, ThesisTemps, done)
	if len(todo) != 47 {
		t.Errorf("%d cells to do, want 49 − 2", len(todo))
	}
	for _, c := range todo {
		if c == [2]float64{0.85, 1.5} || c == [2]float64{0.5, 1.25} {
			t.Errorf("finished cell %v listed again", c)
		}
	}
	if s := SortGrid(done); s[0].Alpha != 0.5 {
		t.Errorf("best first: %+v", s)
	}
	h := Heatmap(ThesisAlphas, ThesisTemps, done)
	if h[5][3] != 0.81 || h[3][2] != 0.83 || h[0][0] != -1 {
		t.Errorf("heatmap %v", h)
	}
	if _, err := ReadGrid(strings.NewReader("{bad}\n{\"alpha\":1}\n")); err == nil {
		t.Error("a corrupt line before the last was accepted")
	}
}

func TestParseMethods(t *testing.T) {
	got, err := ParseMethods("prune, distill,int8")
	if err != nil || strings.Join(got, "|") != "prune|distill|int8" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", "zip", "int8,prune", "f16,int8"} {
		if _, err := ParseMethods(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
