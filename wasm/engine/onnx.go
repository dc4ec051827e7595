package main

import (
	"bytes"
	"fmt"

	"sentilab/core/modelfile"
	"sentilab/core/onnx"
	"sentilab/protocol"
)

// exportONNX writes a variant as an ONNX model, exactly as `lab export`
// does for the model file exportModel gives: that file is read back and
// handed to onnx.FromLoaded, which keeps int8 weights for a file that
// stores them (FromInt8) and exports every other file as its float32
// weights (FromFloat). Going through the file, not the
// variant's in-memory model, is what makes the page's download and the
// command line's the same bytes.
func (e *Engine) exportONNX(name string) (*protocol.ExportONNXResult, []byte, error) {
	if v, err := e.variant(name); err == nil && v.B != nil {
		return nil, nil, fmt.Errorf("exportONNX %s: the TF-IDF baseline has no ONNX graph here; download its model file", name)
	}
	_, file, err := e.exportModel(name)
	if err != nil {
		return nil, nil, err
	}
	ld, err := modelfile.Load(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return nil, nil, err
	}
	m, err := onnx.FromLoaded(ld)
	if err != nil {
		return nil, nil, fmt.Errorf("exportONNX %s: %w", name, err)
	}
	out := m.Marshal()
	weights := "float32"
	if onnx.StoresInt8(ld.File) {
		weights = "int8"
	}
	return &protocol.ExportONNXResult{Name: name, Filename: fmt.Sprintf("sentilab-%s.onnx", name), Size: len(out), Weights: weights}, out, nil
}
