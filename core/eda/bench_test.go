package eda_test

import (
	"testing"

	"sentilab/core/eda"
)

// BenchmarkCleanAndCompute is Clean + the whole EDA of the 50k shared
// reviews (skipped without the data).
func BenchmarkCleanAndCompute(b *testing.B) {
	texts, labels := loadIMDB(b)
	b.ResetTimer()
	for range b.N {
		if _, err := eda.Compute(texts, labels, eda.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
