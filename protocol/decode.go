package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Decode reads one JSON value into v, refusing unknown keys and trailing
// data: a key another program renamed is an error here, not a silent zero.
// what names the message in the error ("train request", "manifest.json").
// Empty data decodes as {}.
func Decode(what string, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: trailing data after the JSON value", what)
	}
	return nil
}
