package text_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"sentilab/core/data"
	"sentilab/core/text"
	"sentilab/internal/testenv"
)

// pythonCleanSHA256 is sha256("\n".join(cleaned)) of the thesis's Python
// preprocessing (pandas 1.5.3, Python 3.11 re) over the shared 50k CSV, in
// file order; 42,671,451 bytes.
const pythonCleanSHA256 = "79ee0d9fbf74c9210343056ffb10c393b209a81791e6b2957811ec3985f152aa"

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
	if got := hex.EncodeToString(h.Sum(nil)); got != pythonCleanSHA256 || n != 42671451 {
		t.Errorf("cleaned corpus sha256 %s (%d bytes), want %s (42671451 bytes)", got, n, pythonCleanSHA256)
	}

	start = time.Now()
	tok := text.FitTokenizer(cleaned[:40000], 20000)
	t.Logf("FitTokenizer on 40,000 cleaned reviews: %v, %d distinct words", time.Since(start), tok.Distinct())
	words := tok.Words()
	if len(words) != 20000 {
		t.Fatalf("%d vocab entries, want 20000", len(words))
	}
	// The most frequent cleaned words; "br" cannot appear (tags are removed),
	// "the" can (a tag glued to it protected it from the stopword filter).
	if got := strings.Join(words[2:8], " "); got != "movie film one like good the" {
		t.Errorf("top words %q", got)
	}
	if got := sha256Lines(words); got != kerasVocabSHA256 {
		t.Errorf("vocab sha256 %s, want %s", got, kerasVocabSHA256)
	}
	seqs := tok.Sequences(cleaned[40000:])
	var b strings.Builder
	n = 0
	for _, s := range seqs {
		for _, id := range s {
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(id)))
			n++
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	if got := hex.EncodeToString(sum[:]); got != kerasSeqSHA256 || n != 1264469 {
		t.Errorf("sequences of the last 10,000: sha256 %s (%d ids), want %s (1264469)", got, n, kerasSeqSHA256)
	}
}

// The Keras references come from keras_preprocessing's Tokenizer logic run
// in Python on the Python-cleaned texts: fit on the first 40,000,
// num_words=20000, oov_token="<OOV>".
const (
	// sha256("\n".join(["", "<OOV>"] + 19,998 words by index)).
	kerasVocabSHA256 = "6f18d02522424762bda3619f234627a7d60d8c4ec1dea750770bcba24c6301b5"
	// sha256(",".join(ids)) of texts_to_sequences over reviews 40,000..49,999.
	kerasSeqSHA256 = "c23e1d94bc1afa693923bcbe752283dad6dcfbcd5e44ebe9635bea20e446acbd"
)

func sha256Lines(lines []string) string {
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}
