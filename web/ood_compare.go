package web

// OodCompare (vugugen's name for ood-compare.vugu) is the Compare step's out-of-domain part: the lesson and
// each model's confusion matrix on the second dataset (ood.go).
type OodCompare struct {
	Lab *Lab
}
