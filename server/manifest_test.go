package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestManifestRefused(t *testing.T) {
	fx := newFixture(t)
	sum := sha256.Sum256(fx.model)
	sha := hex.EncodeToString(sum[:])
	n := len(fx.model)
	entry := func(fields string) string { return `{"models":[` + fields + `]}` }
	good := fmt.Sprintf(`"name":"base","file":"base.safetensors","bytes":%d,"sha256":%q,"metrics":{}`, n, sha)
	cases := []struct{ manifest, wantErr string }{
		{"{\n  \"models\": [\n    {\"name\": \"x\",}\n  ]\n}", "line 3, column"},
		{`[]`, "line 1"},
		{`{}`, `missing "models"`},
		{`{"models":{}}`, "field models"},
		{`{"models":[]} {}`, "trailing data"},
		{entry(`{"file":"base.safetensors"}`), `models[0]: missing "name"`},
		{entry(`{` + good + `},{` + good + `}`), `models[1] ("base"): name already used by models[0]`},
		{entry(strings.Replace(`{`+good+`}`, `"file":"base.safetensors",`, ``, 1)), `missing "file"`},
		{entry(strings.Replace(`{`+good+`}`, `base.safetensors`, `../outside/secret.txt`, 1)), `"file" "../outside/secret.txt": want a plain file name`},
		{entry(strings.Replace(`{`+good+`}`, `base.safetensors`, `sub/base.safetensors`, 1)), `want a plain file name`},
		{entry(strings.Replace(`{`+good+`}`, `base.safetensors`, `.base`, 1)), `want a plain file name`},
		{entry(strings.Replace(`{`+good+`}`, `base.safetensors`, `/etc/passwd`, 1)), `want a plain file name`},
		{entry(strings.Replace(`{`+good+`}`, fmt.Sprint(n), "-1", 1)), `negative "bytes"`},
		{entry(strings.Replace(`{`+good+`}`, fmt.Sprint(n), `"100000"`, 1)), `models[0] ("base"): "bytes": want a whole number, got JSON string`},
		{entry(strings.Replace(`{`+good+`}`, `"metrics":{}`, `"metrics":{"test_accuracy":true}`, 1)), `models[0] ("base"): metrics.test_accuracy: want a number, got true`},
		{entry(`{` + good + `,"provenance":{"seed":"x"}}`), `"provenance.seed": want a whole number, got JSON string`},
		{entry(strings.Replace(`{`+good+`}`, sha, strings.ToUpper(sha), 1)), `"sha256": want 64 lower-case hex digits`},
		{entry(strings.Replace(`{`+good+`}`, sha, sha[:63], 1)), `"sha256": want 64 lower-case hex digits`},
		{entry(strings.Replace(`{`+good+`}`, `"metrics":{}`, `"metrics":[1]`, 1)), `"metrics": want an object`},
		{entry(strings.Replace(`{`+good+`}`, `,"metrics":{}`, ``, 1)), `"metrics": want an object`},
		{entry(`{` + good + `,"provenance":"yesterday"}`), `"provenance": want an object`},
		// Well formed, but the files disagree.
		{entry(strings.Replace(`{`+good+`}`, fmt.Sprint(n), fmt.Sprint(n+1), 1)), fmt.Sprintf("file base.safetensors has %d bytes, manifest says %d", n, n+1)},
		{entry(strings.Replace(`{`+good+`}`, sha, strings.Repeat("0", 64), 1)), "file base.safetensors has sha256 " + sha + ", manifest says 0000"},
		{entry(strings.Replace(`{`+good+`}`, `base.safetensors`, `missing.safetensors`, 1)), "file missing.safetensors: not a readable regular file"},
		{entry(strings.Replace(`{`+good+`}`, `base.safetensors`, `escape.safetensors`, 1)), "file escape.safetensors: not a readable regular file"},
	}
	for i, c := range cases {
		dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
		mkdir(t, dir)
		write(t, filepath.Join(dir, "base.safetensors"), fx.model)
		symlink(t, filepath.Join(fx.outside, "secret.txt"), filepath.Join(dir, "escape.safetensors"))
		write(t, filepath.Join(dir, manifestName), []byte(c.manifest))
		_, err := NewHandler(Config{ModelDir: dir})
		if err == nil {
			t.Errorf("manifest %s: accepted, want an error with %q", c.manifest, c.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), filepath.Join(dir, manifestName)) {
			t.Errorf("manifest %s:\n got error %q\nwant it to name %s and contain %q", c.manifest, err, filepath.Join(dir, manifestName), c.wantErr)
		}
	}
	// The same checks apply to a manifest handed over in memory (Workers).
	if _, err := NewHandler(Config{ManifestJSON: []byte(`{"models":[{"name":"x"}]}`)}); err == nil || !strings.Contains(err.Error(), `missing "file"`) {
		t.Errorf("in-memory manifest without a file: err %v", err)
	}
}

func TestManifestAccepted(t *testing.T) {
	fx := newFixture(t)
	if _, err := NewHandler(fx.config()); err != nil {
		t.Fatalf("good manifest refused: %v", err)
	}
	// Two models, extra fields anywhere (the contract may grow), provenance
	// optional.
	other := []byte("int8 weights")
	write(t, filepath.Join(fx.models, "base.int8.safetensors"), other)
	s1, s2 := sha256.Sum256(fx.model), sha256.Sum256(other)
	m := fmt.Sprintf(`{"version":1,"models":[
	  {"name":"base","file":"base.safetensors","bytes":%d,"sha256":"%x","metrics":{"accuracy":0.8643},"provenance":{"seed":1},"notes":"fast preset"},
	  {"name":"int8","file":"base.int8.safetensors","bytes":%d,"sha256":"%x","metrics":{}}]}`, len(fx.model), s1, len(other), s2)
	if err := os.WriteFile(filepath.Join(fx.models, manifestName), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := start(t, fx.config())
	if r := do(t, "GET", ts.URL+"/api/models"); r.status != 200 || string(r.body) != m {
		t.Errorf("/api/models: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", ts.URL+"/models/base.int8.safetensors"); string(r.body) != string(other) {
		t.Errorf("second model: %q", r.body)
	}
}
