package compress

import (
	"context"
	"fmt"
	"math"

	"sentilab/core/nn"
	"sentilab/core/train"
)

// SoftTerm is the distillation term of one example in its correct binary
// form: with p = σ(z/T) for teacher and student,
//
//	T²·KL(p_t ‖ p_s) = T²·[p_t·ln(p_t/p_s) + (1−p_t)·ln((1−p_t)/(1−p_s))]
//
// and its derivative with respect to the student's logit z_s,
// T·(σ(z_s/T) − σ(z_t/T)). The KL is computed as the cross-entropy of p_t
// against the student's logit z_s/T minus p_t's own entropy, each in the
// stable from-logits form, so it stays accurate for any logits.
func SoftTerm(zs, zt, T float64) (loss, grad float64) {
	us, ut := zs/T, zt/T
	pt := sigmoid64(ut)
	kl := bceLogit(us, pt) - bceLogit(ut, pt)
	if kl < 0 { // rounding when p_s ≈ p_t
		kl = 0
	}
	return T * T * kl, T * (sigmoid64(us) - pt)
}

// ThesisSoftTerm is the thesis's distillation term: Keras's
// KLDivergence of softmax(z_t/T) and softmax(z_s/T) over the model's
// output axis, which has ONE unit. The softmax of a single logit is
// exp(z−z)/exp(z−z) = 1 whatever z is, so both distributions are [1], the
// divergence 1·ln(1/1) is 0, and so is its gradient (softmax's derivative
// p(1−p) = 0): the student learns from the labels alone. Computed here
// exactly as written so a lesson can see the zero come out.
func ThesisSoftTerm(zs, zt, T float64) (loss, grad float64) {
	ps := softmax1(zs / T)
	pt := softmax1(zt / T)
	loss = T * T * pt * math.Log(pt/ps)
	// ∂loss/∂z_s = T²·(−p_t/p_s)·∂p_s/∂z_s, with ∂p_s/∂z_s = p_s(1−p_s)/T.
	grad = T * T * (-pt / ps) * ps * (1 - ps) / T
	return loss, grad
}

// softmax1 is the softmax of a one-element vector [u].
func softmax1(u float64) float64 {
	e := math.Exp(u - u) // max-subtracted, as every softmax does
	return e / e
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// bceLogit is −[p·ln σ(u) + (1−p)·ln(1−σ(u))] in the stable form
// max(u,0) − u·p + ln(1+e^−|u|).
func bceLogit(u, p float64) float64 {
	return math.Max(u, 0) - u*p + math.Log1p(math.Exp(-math.Abs(u)))
}

// DistillLoss is L = α·BCE(y, σ(z_s)) + (1−α)·T²·KL(σ(z_t/T) ‖ σ(z_s/T)),
// used as train.Trainer.Loss. Teacher holds the teacher's logit for every
// row of the training set, computed once before the fit (the trainer's idx
// are those rows), so the teacher never runs twice on an example.
type DistillLoss struct {
	Alpha, T float64
	Teacher  []float32
	Thesis   bool // the thesis's softmax-over-one-unit term (identically 0)
}

// Loss writes dlogits = scale·∂L/∂z_s and returns the summed L and the
// number of correct answers (on the labels).
func (d *DistillLoss) Loss(logits, labels, dlogits []float32, idx []int, scale float32) (float64, int) {
	var sum float64
	right := 0
	for i, z := range logits {
		zs, y := float64(z), float64(labels[i])
		zt := float64(d.Teacher[idx[i]])
		hard := bceLogit(zs, y)
		var soft, g float64
		if d.Thesis {
			soft, g = ThesisSoftTerm(zs, zt, d.T)
		} else {
			soft, g = SoftTerm(zs, zt, d.T)
		}
		sum += d.Alpha*hard + (1-d.Alpha)*soft
		if dlogits != nil {
			dlogits[i] = float32(float64(scale) * (d.Alpha*(sigmoid64(zs)-y) + (1-d.Alpha)*g))
		}
		if (z > 0) == (y >= 0.5) {
			right++
		}
	}
	return sum, right
}

// DistillOptions configure distillation.
type DistillOptions struct {
	Alpha, T      float64
	Embed, Hidden int  // the student's size; its vocabulary and inputs are the teacher's
	Thesis        bool // the thesis's (zero) distillation term
	Tune          Tune
}

// DefaultDistill is the thesis's best setting with its half-size student.
func DefaultDistill() DistillOptions {
	return DistillOptions{Alpha: 0.85, T: 1.5, Embed: 64, Hidden: 64, Tune: DefaultTune()}
}

// Distill trains a new student (initialised from Tune.Seed) on set with the
// frozen teacher's logits, computed once for every training row.
func Distill(ctx context.Context, teacher *nn.Model, set train.Set, opt DistillOptions) (*nn.Model, *train.Result, error) {
	if !(opt.Alpha >= 0 && opt.Alpha <= 1) {
		return nil, nil, fmt.Errorf("distill: alpha %v out of range [0, 1]", opt.Alpha)
	}
	if !(opt.T > 0 && opt.T < 1000) {
		return nil, nil, fmt.Errorf("distill: temperature %v out of range (0, 1000)", opt.T)
	}
	sc := teacher.Cfg
	sc.Embed, sc.Hidden = opt.Embed, opt.Hidden
	student, err := nn.NewModel(sc)
	if err != nil {
		return nil, nil, fmt.Errorf("distill: student: %v", err)
	}
	if err := checkSameData(teacher.Cfg, sc); err != nil {
		return nil, nil, err
	}
	nn.Init(student, opt.Tune.Seed)
	zt, err := train.Logits(ctx, teacher, set, train.EvalOptions{BatchSize: 256, Workers: opt.Tune.Workers, Kernels: opt.Tune.Kernels})
	if err != nil {
		return nil, nil, err
	}
	tr, err := train.NewTrainer(student, opt.Tune.options())
	if err != nil {
		return nil, nil, err
	}
	dl := &DistillLoss{Alpha: opt.Alpha, T: opt.T, Teacher: zt, Thesis: opt.Thesis}
	tr.Loss = dl.Loss
	res, err := tr.Fit(ctx, set)
	if err != nil {
		return nil, nil, err
	}
	return student, res, nil
}
