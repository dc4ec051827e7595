package text_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"sentilab/core/data"
	"sentilab/core/text"
	"sentilab/internal/testenv"
)

// pythonCleanSHA256 is sha256("\n".join(cleaned)) of the thesis's Python
// preprocessing (pandas 1.5.3, Python 3.11 re) over the shared 50k CSV, in
// file order; 42,666,999 bytes.
const pythonCleanSHA256 = "afcd131bd8b2d58b1d27a03abf2ab653cee648a49742fd54bde28f11afeaeefc"

func loadReviews(t testing.TB) []string {
	rs, err := data.Open(testenv.DataPath(t), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, len(rs))
	for i, r := range rs {
		texts[i] = r.Text
	}
	return texts
}

// TestCleanRealDataMatchesPython checks Clean byte for byte against the
// Python reference on all 50,000 reviews.
func TestCleanRealDataMatchesPython(t *testing.T) {
	texts := loadReviews(t)
	start := time.Now()
	cleaned := text.CleanAll(texts, nil)
	t.Logf("CleanAll of %d reviews: %v", len(texts), time.Since(start))
	h := sha256.New()
	n := 0
	for i, s := range cleaned {
		if i > 0 {
			h.Write([]byte{'\n'})
			n++
		}
		h.Write([]byte(s))
		n += len(s)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != pythonCleanSHA256 || n != 42666999 {
		t.Errorf("cleaned corpus sha256 %s (%d bytes), want %s (42666999 bytes)", got, n, pythonCleanSHA256)
	}

	start = time.Now()
	tok := text.FitTokenizer(cleaned[:40000], 20000)
	t.Logf("FitTokenizer on 40,000 cleaned reviews: %v, %d distinct words", time.Since(start), tok.Distinct())
	words := tok.Words()
	if len(words) != 20000 {
		t.Fatalf("%d vocab entries, want 20000", len(words))
	}
	// The most frequent cleaned words; "br" cannot appear (tags are removed).
	if got := strings.Join(words[2:6], " "); got != "movie film one like" {
		t.Errorf("top words %q", got)
	}
}
