package modelfile

import (
	"bytes"
	"testing"

	"sentilab/core/nn"
)

var thesisCfg = nn.Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Dropout: 0.2}

// Save and Load of a thesis-shape dense model (10.98 MB).
func BenchmarkSaveThesis(b *testing.B) {
	m := randomModel(b, thesisCfg, 1)
	vocab := vocabOf(thesisCfg.Vocab)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Save(&buf, m, vocab, testMeta); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkLoadThesis(b *testing.B) {
	var buf bytes.Buffer
	if err := Save(&buf, randomModel(b, thesisCfg, 1), vocabOf(thesisCfg.Vocab), testMeta); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}
