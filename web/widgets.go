package web

// Chart is a chart's element; Lab.Charts[ID] is its option.
type Chart struct {
	ID    string // the element is "chart-"+ID
	Label string // what the chart shows, for screen readers
}

// ProgressBar is a <progress> element, 0..1.
type ProgressBar struct {
	ID    string
	Label string
	Value float64
}
