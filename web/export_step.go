package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"sentilab/protocol"
)

// ExportStep is step 6: download the models and the comparison, import a
// model file.
type ExportStep struct {
	Lab *Lab     // what the steps share
	Log []string // what was exported and imported
}

func (c *ExportStep) Export(name string) {
	defer c.Lab.guard()
	c.Lab.async("exporting "+name, func() error {
		var r protocol.ExportResult
		buf, err := ask(c.Lab.Eng, protocol.TypeExportModel, protocol.VariantRequest{Variant: name}, nil, &r, nil, nil)
		if err != nil {
			return err
		}
		c.Lab.Br.Download(r.Filename, "application/octet-stream", buf)
		c.Lab.update(func() {
			c.Lab.Status = fmt.Sprintf("Exported %s (%s).", r.Filename, kb(float64(r.Size)))
			c.Log = appendLog(c.Log, c.Lab.Status)
		})
		return nil
	})
}

// ExportONNX downloads a variant as an ONNX model (NAME.onnx), the bytes
// `lab export --format onnx` writes for the same model file.
func (c *ExportStep) ExportONNX(name string) {
	defer c.Lab.guard()
	c.Lab.async("exporting "+name+" as ONNX", func() error {
		var r protocol.ExportONNXResult
		buf, err := ask(c.Lab.Eng, protocol.TypeExportONNX, protocol.VariantRequest{Variant: name}, nil, &r, nil, nil)
		if err != nil {
			return err
		}
		c.Lab.Br.Download(r.Filename, "application/octet-stream", buf)
		c.Lab.update(func() {
			c.Lab.Status = fmt.Sprintf("Exported %s (%s, %s weights, %d bytes).", r.Filename, kb(float64(r.Size)), r.Weights, r.Size)
			c.Log = appendLog(c.Log, c.Lab.Status)
		})
		return nil
	})
}

func (c *ExportStep) Import() {
	defer c.Lab.guard()
	c.Lab.async("importing a model", func() error {
		name, buf, _, err := c.Lab.Br.ReadFile("import-file")
		if err != nil {
			return err
		}
		var v VariantInfo
		if _, err := ask(c.Lab.Eng, protocol.TypeImportModel, protocol.ImportRequest{}, buf, &v, nil, nil); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		c.Lab.listVariants()
		c.Lab.update(func() {
			c.Lab.Status = fmt.Sprintf("Imported %s as %q (%d parameters).", name, v.Name, v.Params)
			c.Log = appendLog(c.Log, c.Lab.Status)
		})
		return nil
	})
}

func (c *ExportStep) DownloadCSV() {
	defer c.Lab.guard()
	c.Lab.Br.Download("sentilab-comparison.csv", "text/csv", comparisonCSV(comparisonRows(c.Lab.Pretrained, c.Lab.Variants)))
}

func (c *ExportStep) DownloadJSON() {
	defer c.Lab.guard()
	b, err := comparisonJSON(comparisonRows(c.Lab.Pretrained, c.Lab.Variants))
	if err != nil { // strings only: cannot fail, but never hand out half a file
		c.Lab.Err = "Comparison as JSON: " + err.Error()
		return
	}
	c.Lab.Br.Download("sentilab-comparison.json", "application/json", string(b))
}

// comparisonCSV writes rows as CSV (RFC 4180 quoting).
func comparisonCSV(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		for i, f := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(f, ",\"\n") {
				f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
			}
			b.WriteString(f)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// comparisonJSON writes rows after the header as objects keyed by it.
func comparisonJSON(rows [][]string) ([]byte, error) {
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, k := range rows[0] {
			m[k] = r[i]
		}
		out = append(out, m)
	}
	return json.MarshalIndent(out, "", "  ")
}

// StorageOf describes how a variant's file stores its weights, and says
// when it computes with int8 products rather than float32.
func StorageOf(v VariantInfo) string {
	s := v.Storage
	if v.Sparse {
		s += " + sparse mask"
	}
	if v.Runtime == "int8" {
		s += ", int8 runtime"
	}
	return s
}
