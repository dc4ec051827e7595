package lab

import (
	"context"

	"sentilab/core/compress"
)

// distill: a new, smaller student learns from the teacher's softened
// logits (the correct binary form), or with the thesis's identically-zero
// soft term (Params.ThesisLoss). The student is dense: a source's pruning
// does not carry over.
func init() {
	Register(Method{Name: "distill", About: "knowledge distillation into a smaller student", Run: runDistill})
}

func runDistill(ctx context.Context, st *State, p Params) (map[string]any, error) {
	c := st.Model.Cfg
	opt := compress.DistillOptions{Alpha: p.Alpha, T: p.Temperature, Embed: p.StudentEmbed, Hidden: p.StudentHidden, Thesis: p.ThesisLoss, Tune: p.Tune}
	// Half the widths is under half the parameters (the embedding halves,
	// the LSTM's 4h(e+h+1) shrinks about 4×): classroom 82,129 of 168,353.
	// At classroom size that student is within 1 point of its teacher
	// (TestLessonsWithDefaults), so "half" stays half the widths.
	if opt.Embed == 0 {
		opt.Embed = max(1, c.Embed/2)
	}
	if opt.Hidden == 0 {
		opt.Hidden = max(1, c.Hidden/2)
	}
	student, res, err := compress.Distill(ctx, st.Model, st.Train, opt)
	if err != nil {
		return nil, err
	}
	params := tuneParams(p.Tune)
	params["alpha"], params["temperature"], params["student_embed"], params["student_hidden"], params["thesis_loss"] = opt.Alpha, opt.T, opt.Embed, opt.Hidden, opt.Thesis
	params["teacher_params"] = st.Model.NumParams()
	st.Model, st.Fit, st.Sparse, st.Sparsity = student, res, false, nil
	return params, nil
}
