package web

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"sentilab/protocol"
)

// Deleting models from the Compare step: one, or every student of the α×T
// grid at once (a 7×7 grid makes 49). A click names what would go and asks
// again in the page; only the second click deletes, from the engine and
// from the browser's storage (persist.go), so a reload does not bring it
// back.

// gridStudent matches the names RunGrid gives its students.
var gridStudent = regexp.MustCompile(`-grid-a[0-9.e+-]+-t[0-9.e+-]+$`)

// GridStudents are the engine's models made by an α×T grid.
func (c *CompareStep) GridStudents() []string {
	var out []string
	for _, v := range c.Lab.Variants {
		if gridStudent.MatchString(v.Name) {
			out = append(out, v.Name)
		}
	}
	return out
}

// DeleteGridLabel is the label of the button that deletes every student of
// the grid.
func (c *CompareStep) DeleteGridLabel() string {
	return fmt.Sprintf("Delete the α×T grid's %d students", len(c.GridStudents()))
}

// AskDelete names the models a second click would delete.
func (c *CompareStep) AskDelete(names ...string) {
	defer c.Lab.guard()
	c.Deleting = slices.Clone(names)
}

// KeepModels answers "no" to AskDelete.
func (c *CompareStep) KeepModels() {
	defer c.Lab.guard()
	c.Deleting = nil
}

// DeleteQuestion is the confirmation's text.
func (c *CompareStep) DeleteQuestion() string {
	if n := len(c.Deleting); n > 1 {
		return fmt.Sprintf("Delete these %d models (%s, …)? They leave this lab and this browser's storage; a reload will not bring them back.", n, c.Deleting[0])
	}
	return "Delete " + c.Deleting[0] + "? It leaves this lab and this browser's storage; a reload will not bring it back."
}

// DeleteModels deletes the models AskDelete named, one request each.
func (c *CompareStep) DeleteModels() {
	defer c.Lab.guard()
	names := c.Deleting
	c.Deleting = nil
	if len(names) == 0 {
		return
	}
	c.Lab.async("deleting models", func() error {
		var gone []string
		defer func() {
			c.Lab.forgetSaved(gone)
			c.Lab.listVariants()
			c.Lab.update(func() {
				c.Lab.S.Variants = slices.DeleteFunc(c.Lab.S.Variants, func(n string) bool { return slices.Contains(gone, n) })
				if c.Inspect != "" && slices.Contains(gone, c.Inspect) {
					c.Inspect, c.Tensors = "", nil
				}
				c.Lab.saveURL()
			})
		}()
		for _, n := range names {
			var r protocol.DeleteResult
			if _, err := ask(c.Lab.Eng, protocol.TypeDelete, protocol.VariantRequest{Variant: n}, nil, &r, nil, nil); err != nil {
				return err
			}
			gone = append(gone, r.Deleted)
		}
		c.Lab.update(func() {
			c.Lab.Status = Clip(fmt.Sprintf("Deleted %d model(s): %s.", len(gone), strings.Join(gone, ", ")), 600)
		})
		return nil
	})
}
