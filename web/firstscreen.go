package web

import (
	"fmt"
	"strings"

	"sentilab/protocol"
)

// The first screen (issue 10): a visitor without data sees the server's
// pre-trained models in the Data step and can try one in one click.

// Importable reports whether the engine can import m: an LSTM, or the
// TF-IDF baseline (wasm/engine/baseline.go).
func Importable(m PretrainedModel) bool { return m.Kind == "" || m.Kind == protocol.ModelKindTFIDF }

// PretrainedWhat says in a few words what a pre-trained model is.
func PretrainedWhat(m PretrainedModel) string {
	if m.Kind == protocol.ModelKindTFIDF {
		return "TF-IDF + logistic regression, the yardstick"
	}
	if !Importable(m) {
		return "a " + m.Kind + " model, which this lab cannot load"
	}
	var parts []string
	switch v := m.Variant; {
	case v == "" || v == "base":
		parts = append(parts, "the trained LSTM")
	default:
		parts = append(parts, "the LSTM compressed by "+strings.ReplaceAll(v, "+", " → "))
	}
	if c := m.Config; c.Hidden > 0 {
		parts = append(parts, fmt.Sprintf("embedding %d, hidden %d", c.Embed, c.Hidden))
	}
	if m.Runtime != "" && !strings.Contains(m.Variant, m.Runtime) { // "int8" says it already
		parts = append(parts, m.Runtime)
	}
	return strings.Join(parts, ", ")
}

// LoadAndTry imports pre-trained model m into the engine, then opens Try
// with it chosen.
func (c *DataStep) LoadAndTry(m PretrainedModel) {
	defer c.Lab.guard()
	if !Importable(m) {
		c.Lab.Err = m.Name + " is a " + m.Kind + " model: the engine cannot load it (see /report)."
		return
	}
	c.Lab.async("loading "+m.Name, func() error {
		var v VariantInfo
		req := protocol.ImportRequest{Name: m.Name, URL: "models/" + m.File, SHA256: m.SHA256}
		if _, err := ask(c.Lab.Eng, protocol.TypeImportModel, req, nil, &v, nil, nil); err != nil {
			return err
		}
		c.Lab.listVariants() // before the step changes: Try lists it
		c.Lab.update(func() {
			c.Lab.S.Step = "try"
			c.Lab.S.Variants = nil // none chosen = all, the new one included
			c.Lab.saveURL()
			c.Lab.Status = fmt.Sprintf("Loaded the pre-trained %s as %q (%s). Type a review and score it.", m.Name, v.Name, KB(v.FileBytes))
		})
		return nil
	})
}
