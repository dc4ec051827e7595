package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"sentilab/protocol"
)

// LabVersion is the version of LabRecord this page writes and reads. A
// record of another version is reported and ignored, never half-read.
const LabVersion = 1

// Keys of the lab store (persist.go). A model and a kept dataset file are
// values of their own (bytes, stored as the browser's ArrayBuffer); the rest
// of the lab is one JSON record under keyLab.
const (
	keyLab      = "lab"
	modelPrefix = "model:"
	filePrefix  = "file:"
)

// LabRecord is the saved lab: everything a reload would otherwise lose,
// except the bulk bytes, which it names by key.
type LabRecord struct {
	Version  int               `json:"version"`
	Saved    string            `json:"saved,omitempty"` // RFC 3339, UTC
	Settings *Settings         `json:"settings,omitempty"`
	Limit    int               `json:"limit,omitempty"`
	Compress *CompressSettings `json:"compress,omitempty"`
	Review   *string           `json:"review,omitempty"`
	Data     *DataSource       `json:"data,omitempty"`

	History     []Epoch      `json:"history,omitempty"`
	Result      *TrainResult `json:"result,omitempty"`
	Batches     *Series      `json:"batches,omitempty"` // the bounded per-batch curve (series.go)
	CompressLog []string     `json:"compress_log,omitempty"`
	Log         []string     `json:"log,omitempty"`
	Predictions []Prediction `json:"predictions,omitempty"`

	Models []SavedModel `json:"models,omitempty"`

	// Grid is the α×T distillation grid with its finished cells
	// (compress_grid.go), so a reload resumes it.
	Grid *DistillGrid `json:"grid,omitempty"`

	// Baseline is the baseline's last training run (baseline.go): its
	// timings and top n-grams; the model itself is in Models.
	Baseline *protocol.TrainBaselineResult `json:"baseline,omitempty"`
	// Class is the class this page teaches or works for (class_step.go):
	// the teacher's token is shown only once, so a reload must keep it.
	Class *ClassRecord `json:"class,omitempty"`
}

// CompressSettings are the Compress step's inputs.
type CompressSettings struct {
	Source  string  `json:"source"`
	Initial float64 `json:"initial"`
	Final   float64 `json:"final"`
	Epochs  int     `json:"epochs"`
	Alpha   float64 `json:"alpha"`
	T       float64 `json:"t"`
	Embed   int     `json:"embed"`
	Hidden  int     `json:"hidden"`
	// The grid's α and T values as typed, and the units structured
	// pruning keeps.
	GridAlphas string `json:"grid_alphas,omitempty"`
	GridTs     string `json:"grid_ts,omitempty"`
	Keep       int    `json:"keep,omitempty"`
}

// DataSource says where the loaded dataset came from, to load it again: the
// server's URL, or a file the user chose, kept under FileKey when it was
// small enough (maxKeptFile), else only named.
type DataSource struct {
	URL      string `json:"url,omitempty"`
	Name     string `json:"name"`
	Limit    int    `json:"limit,omitempty"`
	FileKey  string `json:"file_key,omitempty"`
	FileSize int    `json:"file_size,omitempty"`
}

// SavedModel is one variant: its model file under Key, and what the page
// showed of it (the engine's Info), which a re-imported file does not fully
// carry (its kind, preset, full test metrics and training history).
type SavedModel struct {
	Key   string      `json:"key"`
	Print string      `json:"print"` // fingerprint of Info when its file was stored
	Info  VariantInfo `json:"info"`
}

// DecodeLab reads a saved record. err means the record as a whole is
// unusable (not JSON, no or another version): the caller reports it and
// starts fresh. problems are parts that were dropped (a model entry without
// a key, a data source that is not the server's); the rest is usable.
func DecodeLab(b []byte) (rec *LabRecord, problems []string, err error) {
	var r LabRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, nil, fmt.Errorf("saved lab: not valid JSON: %v", err)
	}
	switch {
	case r.Version == 0:
		return nil, nil, fmt.Errorf("saved lab: no version field (want %d)", LabVersion)
	case r.Version != LabVersion:
		return nil, nil, fmt.Errorf("saved lab: version %d, this page reads version %d", r.Version, LabVersion)
	}
	var models []SavedModel
	seen := map[string]bool{}
	for i, m := range r.Models {
		switch {
		case m.Info.Name == "":
			problems = append(problems, fmt.Sprintf("models[%d]: no name", i))
		case !strings.HasPrefix(m.Key, modelPrefix):
			problems = append(problems, fmt.Sprintf("models[%d] (%s): key %q does not start with %q", i, m.Info.Name, m.Key, modelPrefix))
		case seen[m.Info.Name]:
			problems = append(problems, fmt.Sprintf("models[%d]: %s saved twice", i, m.Info.Name))
		default:
			seen[m.Info.Name] = true
			models = append(models, m)
		}
	}
	r.Models = models
	if d := r.Data; d != nil {
		switch {
		case d.URL != "" && (strings.Contains(d.URL, ":") || strings.HasPrefix(d.URL, "/")):
			problems = append(problems, fmt.Sprintf("data: url %q is not a path of this server", d.URL))
			r.Data = nil
		case d.FileKey != "" && !strings.HasPrefix(d.FileKey, filePrefix):
			problems = append(problems, fmt.Sprintf("data: file key %q does not start with %q", d.FileKey, filePrefix))
			r.Data = nil
		case d.URL == "" && d.Name == "":
			problems = append(problems, "data: neither a url nor a file name")
			r.Data = nil
		case d.Limit < 0:
			problems = append(problems, fmt.Sprintf("data: limit %d < 0", d.Limit))
			r.Data = nil
		}
	}
	if r.Limit < 0 {
		problems = append(problems, fmt.Sprintf("limit %d < 0", r.Limit))
		r.Limit = 0
	}
	if cs := r.Compress; cs != nil {
		if bad := cs.check(); bad != "" {
			problems = append(problems, "compress: "+bad)
			r.Compress = nil
		}
	}
	if g := r.Grid; g != nil {
		if bad := g.check(); bad != "" {
			problems = append(problems, "grid: "+bad)
			r.Grid = nil
		}
	}
	if cl := r.Class; cl != nil {
		if bad := cl.check(); bad != "" {
			problems = append(problems, "class: "+bad)
			r.Class = nil
		}
	}
	if b := r.Batches; b != nil {
		if bad := b.check(); bad != "" {
			problems = append(problems, "batch curve: "+bad)
			r.Batches = nil
		}
	}
	return &r, problems, nil
}

// check returns what is out of range, "" if nothing: the same bounds as the
// Compress step's inputs.
func (cs *CompressSettings) check() string {
	in := func(x, lo, hi float64) bool { return !math.IsNaN(x) && x >= lo && x <= hi }
	switch {
	case !in(cs.Initial, 0, 0.99) || !in(cs.Final, 0, 0.99):
		return fmt.Sprintf("sparsity %g → %g outside [0, 0.99]", cs.Initial, cs.Final)
	case cs.Epochs < 1 || cs.Epochs > 1000:
		return fmt.Sprintf("epochs %d outside [1, 1000]", cs.Epochs)
	case !in(cs.Alpha, 0, 1):
		return fmt.Sprintf("alpha %g outside [0, 1]", cs.Alpha)
	case !in(cs.T, 1e-3, 1000):
		return fmt.Sprintf("temperature %g outside [0.001, 1000]", cs.T)
	case cs.Embed < 0 || cs.Hidden < 0:
		return fmt.Sprintf("student %d/%d < 0", cs.Embed, cs.Hidden)
	}
	return ""
}

// checkSettings returns saved settings as far as they are valid: each field
// goes through the same checks as a link's (Settings.ParseQuery); a bad one
// keeps def's value and is reported.
func checkSettings(saved Settings, def Settings) (Settings, []string) {
	s := def
	bad := s.ParseQuery(saved.Query())
	if saved.Preset == "" {
		s.Preset = def.Preset
	}
	if saved.Step == "" {
		s.Step = def.Step
	}
	if len(saved.Variants) == 0 {
		s.Variants = nil
	}
	return s, bad
}

// fingerprint identifies what a variant is, to store its file again only
// when it changed (a model retrained under the same name). The file size
// is left out: the engine stamps a re-imported file's provenance anew, so
// the same weights may export a few bytes longer or shorter. A trained
// model reports no storage and its file is float32: re-imported, it says
// "f32", the same thing.
func fingerprint(v VariantInfo) string {
	v.FileBytes = 0
	if v.Storage == "" {
		v.Storage = "f32"
	}
	b, err := json.Marshal(v)
	if err != nil {
		// A NaN metric: the record will not marshal either, and that
		// error is shown. Never the same print as a good model's.
		return "unprintable: " + err.Error()
	}
	return string(b)
}
