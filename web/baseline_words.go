package web

// BaselineWords is the Try step's box of the baseline's top weighted
// n-grams for the typed review (baseline.go's ExplainBaseline).
type BaselineWords struct {
	Lab    *Lab
	Review string // the review typed in Try
}
