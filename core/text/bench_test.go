package text_test

import (
	"testing"

	"sentilab/core/text"
)

// BenchmarkCleanAll cleans the 50k shared reviews (skipped without the data).
func BenchmarkCleanAll(b *testing.B) {
	texts := loadReviews(b)
	b.ResetTimer()
	for range b.N {
		text.CleanAll(texts, nil)
	}
}

// BenchmarkFitTokenizer fits the thesis tokenizer on 40,000 cleaned reviews.
func BenchmarkFitTokenizer(b *testing.B) {
	cleaned := text.CleanAll(loadReviews(b), nil)[:40000]
	b.ResetTimer()
	for range b.N {
		text.FitTokenizer(cleaned, 20000)
	}
}
