package testenv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
)

// ToyCSV is a generated dataset in the Kaggle schema (review,sentiment)
// for tests that need reviews but not the real data: a review is 8 to 47
// words, a quarter of them of its sentiment, a twentieth of the other one,
// the rest neutral, so a small model learns it in a few epochs (counting
// the words gets 96% right).
func ToyCSV(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 3))
	words := [2][]string{
		{"dull", "awful", "boring", "terrible", "clumsy"},
		{"wonderful", "great", "moving", "superb", "brilliant"},
	}
	filler := []string{"film", "plot", "actor", "scene", "story", "camera", "music", "ending"}
	var b bytes.Buffer
	b.WriteString("review,sentiment\n")
	for i := 0; i < n; i++ {
		label := rng.IntN(2)
		var review []string
		for k := 0; k < 8+rng.IntN(40); k++ {
			switch r := rng.IntN(20); {
			case r < 5:
				review = append(review, words[label][rng.IntN(5)])
			case r < 6:
				review = append(review, words[1-label][rng.IntN(5)])
			default:
				review = append(review, filler[rng.IntN(len(filler))])
			}
		}
		fmt.Fprintf(&b, "%q,%s\n", strings.Join(review, " "), []string{"negative", "positive"}[label])
	}
	return b.Bytes()
}
