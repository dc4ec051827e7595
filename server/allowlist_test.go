package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestModelsOnlyFromManifest: the model folder serves the manifest and the
// files it lists, and 404s everything else in it: the temp file a writer
// killed mid-write leaves beside its output, a README, a model nobody
// listed, a precompressed sibling of a listed model.
func TestModelsOnlyFromManifest(t *testing.T) {
	fx := newFixture(t)
	unlisted := map[string][]byte{
		"base.safetensors.tmp123":  fx.model[:5000], // what modelfile's atomic write leaves after kill -9
		"out.tmp4711":              []byte("half a model"),
		"README.md":                []byte("# how these models were made\n"),
		"other.safetensors":        []byte("a model the manifest does not list"),
		"base.safetensors.gz":      []byte("GZIP-SIBLING-OF-A-MODEL"),
		"base.safetensors.br":      []byte("BROTLI-SIBLING-OF-A-MODEL"),
		"manifest.json.bak":        []byte(`{"models":[]}`),
		"sub/base.safetensors":     fx.model,
		"notes.txt":                []byte("teacher's notes"),
		"base.safetensors.partial": fx.model[:10],
	}
	for name, data := range unlisted {
		write(t, filepath.Join(fx.models, filepath.FromSlash(name)), data)
	}
	ts := start(t, fx.config())

	for name := range unlisted {
		for _, method := range []string{"GET", "HEAD"} {
			r := do(t, method, ts.URL+"/models/"+name)
			if r.status != 404 || bytes.Contains(r.body, unlisted[name]) {
				t.Errorf("%s /models/%s: %d (%d bytes); want 404: not in the manifest", method, name, r.status, len(r.body))
			}
		}
	}
	// The listed model: as is, whatever the client accepts (no sibling).
	for _, accept := range []string{"", "gzip", "br", "gzip, br"} {
		r := do(t, "GET", ts.URL+"/models/base.safetensors", "Accept-Encoding", accept)
		if r.status != 200 || !bytes.Equal(r.body, fx.model) || r.header.Get("Content-Encoding") != "" {
			t.Errorf("GET listed model, Accept-Encoding %q: %d, %d bytes, encoding %q; want 200, the file as is",
				accept, r.status, len(r.body), r.header.Get("Content-Encoding"))
		}
	}
	// The manifest: the same bytes at both addresses.
	api := do(t, "GET", ts.URL+"/api/models")
	file := do(t, "GET", ts.URL+"/models/manifest.json")
	if api.status != 200 || file.status != 200 || !bytes.Equal(api.body, file.body) {
		t.Errorf("/api/models %d and /models/manifest.json %d differ or fail", api.status, file.status)
	}
}

// TestModelsNeverFromAssets: with no model folder, /models/ does not fall
// back to the asset root's own models/ folder (the built lab keeps one).
func TestModelsNeverFromAssets(t *testing.T) {
	fx := newFixture(t)
	write(t, filepath.Join(fx.root, "models", "stray.safetensors"), []byte("stray"))
	write(t, filepath.Join(fx.root, "models", "README.md"), []byte("readme"))
	ts := start(t, Config{AssetRoot: fx.root, ModelDir: filepath.Join(fx.dir, "no-such-folder")})
	for _, p := range []string{"/models/stray.safetensors", "/models/README.md"} {
		if r := do(t, "GET", ts.URL+p); r.status != 404 {
			t.Errorf("GET %s with no model folder: %d %q, want 404", p, r.status, r.body)
		}
	}
	if r := do(t, "GET", ts.URL+"/models/manifest.json"); r.status != 200 || string(r.body) != string(emptyManifest) {
		t.Errorf("GET /models/manifest.json with no model folder: %d %q, want the empty list", r.status, r.body)
	}
}
