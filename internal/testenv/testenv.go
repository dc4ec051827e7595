// Package testenv finds the shared IMDB dataset for tests and benchmarks.
//
// Tests that need the real data call DataPath. It reads $SENTILAB_DATA, then
// looks for ../shared/data/imdb/imdb-50k.csv.gz beside the repository. When
// neither exists the test is skipped, unless SENTILAB_REQUIRE_DATA=1 (set by
// .ci/run), where a missing dataset fails the test instead of hiding it.
package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// DataPath returns the path of the 50k IMDB CSV (gzip) or skips/fails t.
func DataPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SENTILAB_DATA"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("SENTILAB_DATA=%s: %v", p, err)
		}
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	p := filepath.Join(root, "..", "shared", "data", "imdb", "imdb-50k.csv.gz")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if os.Getenv("SENTILAB_REQUIRE_DATA") == "1" {
		t.Fatalf("dataset not found: set SENTILAB_DATA (looked at %s)", p)
	}
	t.Skip("dataset not found: set SENTILAB_DATA to the IMDB 50k CSV")
	return ""
}
