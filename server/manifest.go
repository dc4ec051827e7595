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
	"strings"
)

// manifestName is the file in the model folder that lists the pre-trained
// variants. GET /api/models returns it byte for byte; the browser then loads
// each model from /models/<file>.
const manifestName = "manifest.json"

// emptyManifest is served when the model folder has no manifest yet.
var emptyManifest = []byte(`{"models":[]}` + "\n")

// manifestEntry is one model as the manifest lists it. Pointers tell a
// missing field from a zero one; metrics and provenance stay raw JSON, since
// their content belongs to core/modelfile and the UI, not to the server.
type manifestEntry struct {
	Name       *string         `json:"name"`
	File       *string         `json:"file"`
	Bytes      *int64          `json:"bytes"`
	SHA256     *string         `json:"sha256"`
	Metrics    json.RawMessage `json:"metrics"`
	Provenance json.RawMessage `json:"provenance"`
}

type manifestDoc struct {
	Models *[]manifestEntry `json:"models"`
}

// parseManifest checks the shape of a manifest: an object whose "models" is
// an array of entries with a name (unique), a plain file name, a size, a
// SHA-256 in lower-case hex and a metrics object (provenance, if present, is
// an object too). Errors name the entry and the field, and the line for
// JSON that does not parse.
func parseManifest(data []byte) ([]manifestEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc manifestDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the top-level object")
	}
	if doc.Models == nil {
		return nil, errors.New(`missing "models": want an array of models`)
	}
	seen := map[string]int{}
	for i, m := range *doc.Models {
		at := fmt.Sprintf("models[%d]", i)
		if m.Name == nil || *m.Name == "" {
			return nil, fmt.Errorf(`%s: missing "name": want a non-empty string`, at)
		}
		at = fmt.Sprintf("models[%d] (%q)", i, *m.Name)
		if j, dup := seen[*m.Name]; dup {
			return nil, fmt.Errorf("%s: name already used by models[%d]", at, j)
		}
		seen[*m.Name] = i
		if m.File == nil {
			return nil, fmt.Errorf(`%s: missing "file": want a file name in the model folder`, at)
		}
		if rel, isDir, err := cleanPath("/" + *m.File); err != nil || isDir || strings.Contains(rel, "/") {
			return nil, fmt.Errorf(`%s: "file" %q: want a plain file name (letters, digits, . _ - ~; not starting with a dot)`, at, *m.File)
		}
		if m.Bytes == nil || *m.Bytes < 0 {
			return nil, fmt.Errorf(`%s: missing or negative "bytes": want the file size`, at)
		}
		if m.SHA256 == nil || !isLowerHex(*m.SHA256, 64) {
			return nil, fmt.Errorf(`%s: "sha256": want 64 lower-case hex digits`, at)
		}
		if !isJSONObject(m.Metrics) {
			return nil, fmt.Errorf(`%s: "metrics": want an object`, at)
		}
		if m.Provenance != nil && !isJSONObject(m.Provenance) {
			return nil, fmt.Errorf(`%s: "provenance": want an object`, at)
		}
	}
	return *doc.Models, nil
}

// checkManifestFiles verifies that every listed file is in the model folder
// with the size and SHA-256 the manifest claims, so a half-copied or stale
// model stops the server at start rather than confusing a class later.
func checkManifestFiles(models []manifestEntry, fr *fileRoot) error {
	for i, m := range models {
		at := fmt.Sprintf("models[%d] (%q)", i, *m.Name)
		f, fi, err := fr.open(*m.File)
		if err != nil {
			return fmt.Errorf("%s: file %s: not a readable regular file inside %s", at, *m.File, fr.dir)
		}
		if fi.Size() != *m.Bytes {
			f.Close()
			return fmt.Errorf("%s: file %s has %d bytes, manifest says %d", at, *m.File, fi.Size(), *m.Bytes)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: reading %s: %w", at, *m.File, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != *m.SHA256 {
			return fmt.Errorf("%s: file %s has sha256 %s, manifest says %s", at, *m.File, got, *m.SHA256)
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
	models, err := parseManifest(data)
	if err == nil {
		err = checkManifestFiles(models, fr)
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

func isJSONObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
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
