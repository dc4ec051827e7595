package web

import (
	"reflect"
	"strings"
	"testing"
)

func TestSettingsRoundTrip(t *testing.T) {
	s := Settings{Step: "train", Preset: "classroom", Epochs: 3, BatchSize: 64, LR: 0.001, Seed: 7, TrainLimit: 10000,
		TestFrac: 0.2, ValSplit: 0.1, Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Masking: true, Dropout: 0.2,
		Workers: 2, Variants: []string{"base", "int8"}}
	var got Settings
	if bad := got.ParseQuery("?" + s.Query()); bad != nil {
		t.Fatalf("bad keys %v", bad)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, s)
	}
}

func TestParseQueryRefusesBadValues(t *testing.T) {
	s := Settings{Epochs: 3, LR: 0.001, Step: "data"}
	bad := s.ParseQuery("epochs=-1&lr=abc&step=nowhere&seed=5")
	if s.Epochs != 3 || s.LR != 0.001 || s.Step != "data" || s.Seed != 5 {
		t.Fatalf("bad values changed settings: %+v", s)
	}
	if got := strings.Join(bad, " "); got != "step=nowhere epochs=-1 lr=abc" {
		t.Fatalf("reported %q", got)
	}
}
