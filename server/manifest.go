package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"sort"
	"strings"

	"sentilab/protocol"
)

// manifestName is the file in the model folder that lists the pre-trained
// variants. GET /api/models returns it byte for byte; the browser then loads
// each model from /models/<file>.
const manifestName = protocol.ManifestFile

// emptyManifest is served when the model folder has no manifest yet.
var emptyManifest = []byte(`{"models":[]}` + "\n")

// parseManifest reads a manifest into protocol.Manifest, the schema lab
// manifest writes, and checks what the server relies on: an object whose
// "models" is an array of entries with a name (unique), a plain file name,
// a size, a SHA-256 in lower-case hex and a metrics object of numbers
// (provenance, if present, is an object too). Keys it does not know are
// allowed (the contract may grow); a known key of the wrong type is not.
// Errors name the entry and the field, and the line for JSON that does not
// parse.
func parseManifest(data []byte) (*protocol.Manifest, error) {
	var top struct {
		Models      *[]json.RawMessage `json:"models"`
		DistillGrid json.RawMessage    `json:"distill_grid"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the top-level object")
	}
	if top.Models == nil {
		return nil, errors.New(`missing "models": want an array of models`)
	}
	doc := &protocol.Manifest{Models: make([]protocol.ManifestModel, len(*top.Models))}
	if len(top.DistillGrid) > 0 && string(top.DistillGrid) != "null" {
		doc.DistillGrid = new(protocol.DistillGrid)
		if err := json.Unmarshal(top.DistillGrid, doc.DistillGrid); err != nil {
			return nil, fmt.Errorf("distill_grid: %w", fieldError(err))
		}
	}
	seen := map[string]int{}
	for i, raw := range *top.Models {
		m := &doc.Models[i]
		// Unmarshal fills every field it can before reporting the first
		// one of the wrong type, so the name is known for the message.
		err := json.Unmarshal(raw, m)
		at := fmt.Sprintf("models[%d]", i)
		if m.Name != "" {
			at = fmt.Sprintf("models[%d] (%q)", i, m.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, entryError(raw, err))
		}
		if m.Name == "" {
			return nil, fmt.Errorf(`%s: missing "name": want a non-empty string`, at)
		}
		if j, dup := seen[m.Name]; dup {
			return nil, fmt.Errorf("%s: name already used by models[%d]", at, j)
		}
		seen[m.Name] = i
		if m.File == "" {
			return nil, fmt.Errorf(`%s: missing "file": want a file name in the model folder`, at)
		}
		if rel, isDir, err := cleanPath("/" + m.File); err != nil || isDir || strings.Contains(rel, "/") {
			return nil, fmt.Errorf(`%s: "file" %q: want a plain file name (letters, digits, . _ - ~; not starting with a dot)`, at, m.File)
		}
		if m.Bytes < 0 {
			return nil, fmt.Errorf(`%s: negative "bytes": want the file size`, at)
		}
		if !isLowerHex(m.SHA256, 64) {
			return nil, fmt.Errorf(`%s: "sha256": want 64 lower-case hex digits`, at)
		}
		if m.Metrics == nil {
			return nil, fmt.Errorf(`%s: "metrics": want an object`, at)
		}
	}
	return doc, nil
}

// entryError says which field of a manifest entry has the wrong type, and
// for a metric, which one: the decoder names only the map.
func entryError(raw json.RawMessage, err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field == "metrics" && typ.Value != "object" && typ.Type.Kind() == reflect.Float64 {
		var e struct{ Metrics map[string]json.RawMessage }
		if json.Unmarshal(raw, &e) == nil {
			keys := make([]string, 0, len(e.Metrics))
			for k := range e.Metrics {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				var f float64
				if json.Unmarshal(e.Metrics[k], &f) != nil {
					return fmt.Errorf("metrics.%s: want a number, got %s", k, truncate(string(e.Metrics[k]), 40))
				}
			}
		}
	}
	return fieldError(err)
}

// fieldError words a type error as the field and what it should be.
func fieldError(err error) error {
	var typ *json.UnmarshalTypeError
	if !errors.As(err, &typ) {
		return err
	}
	want := "a " + typ.Type.String()
	switch typ.Type.Kind() {
	case reflect.Map, reflect.Struct:
		want = "an object"
	case reflect.Slice, reflect.Array:
		want = "an array"
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "true or false"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = "a whole number"
	}
	return fmt.Errorf("%q: want %s, got JSON %s", typ.Field, want, typ.Value)
}

// checkManifestFiles verifies that every listed file is in the model folder
// with the size and SHA-256 the manifest claims, so a half-copied or stale
// model stops the server at start rather than confusing a class later.
func checkManifestFiles(models []protocol.ManifestModel, fr *fileRoot) error {
	for i, m := range models {
		at := fmt.Sprintf("models[%d] (%q)", i, m.Name)
		f, fi, err := fr.open(m.File)
		if err != nil {
			return fmt.Errorf("%s: file %s: not a readable regular file inside %s", at, m.File, fr.dir)
		}
		if fi.Size() != m.Bytes {
			f.Close()
			return fmt.Errorf("%s: file %s has %d bytes, manifest says %d", at, m.File, fi.Size(), m.Bytes)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: reading %s: %w", at, m.File, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != m.SHA256 {
			return fmt.Errorf("%s: file %s has sha256 %s, manifest says %s", at, m.File, got, m.SHA256)
		}
	}
	return nil
}

// loadManifest reads and checks <models>/manifest.json. No manifest is not
// an error (a fresh checkout has trained nothing yet): it gives the empty list.
func loadManifest(fr *fileRoot) ([]byte, error) {
	f, _, err := fr.open(manifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return emptyManifest, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", fr.dir, manifestName, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, 16<<20))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", fr.dir, manifestName, err)
	}
	doc, err := parseManifest(data)
	if err == nil {
		err = checkManifestFiles(doc.Models, fr)
	}
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", fr.dir, manifestName, err)
	}
	return data, nil
}

// jsonError adds the line and column to a decoding error.
func jsonError(data []byte, err error) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
		if typ.Field != "" {
			err = fmt.Errorf("field %s: got JSON %s, want %s", typ.Field, typ.Value, typ.Type)
		}
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
