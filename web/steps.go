package web

import "fmt"

// Step is one step of the lab: its id (in the URL and the element ids
// "tab-"+ID, "step-"+ID, "h-"+ID) and its title.
type Step struct {
	ID, Title string
}

// Steps of the page, in order; a step's number is its place here.
var Steps = []Step{
	{"data", "Data"},
	{"train", "Train"},
	{"compress", "Compress"},
	{"compare", "Compare"},
	{"try", "Try"},
	{"export", "Export"},
	{"class", "Class"}, // class mode (class_step.go)
}

// stepIndex is the index of step id in Steps, -1 if there is none.
func stepIndex(id string) int {
	for i, s := range Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// StepHeading is a step's numbered title ("2. Train"), for its tab and
// its heading.
func StepHeading(id string) string {
	i := stepIndex(id)
	if i < 0 {
		return id
	}
	return fmt.Sprintf("%d. %s", i+1, Steps[i].Title)
}
