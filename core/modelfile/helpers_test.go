package modelfile

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"testing"

	"sentilab/core/nn"
)

var smallCfg = nn.Config{Vocab: 12, Embed: 3, Hidden: 2, MaxLen: 7, Padding: "post", Masking: true, Dropout: 0.2}

func randomModel(t testing.TB, c nn.Config, seed uint64) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for _, p := range m.Params() {
		for i := range p.W {
			p.W[i] = float32(r.NormFloat64())
		}
	}
	return m
}

func vocabOf(n int) []string {
	v := make([]string, n)
	v[1] = "<OOV>"
	for i := 2; i < n; i++ {
		v[i] = "w" + strconv.Itoa(i)
	}
	return v
}

var testMeta = Meta{
	Variant:       "base",
	Preprocessing: "thesis",
	Metrics:       map[string]float64{"test_accuracy": 0.8643, "loss": 0.31},
	Provenance:    Provenance{Seed: 42, DataHash: "72d7e415", Command: "lab train --seed 42", Time: "2026-11-28T00:00:00Z"},
	Extra:         map[string]string{"note": "<html> & \"quotes\""},
}

func encodeBytes(t testing.TB, f *File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// smallFile is a valid model file of smallCfg.
func smallFile(t testing.TB) []byte {
	t.Helper()
	f, err := Encode(randomModel(t, smallCfg, 7), vocabOf(smallCfg.Vocab), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	return encodeBytes(t, f)
}

// reframe replaces the JSON header of file b with h (unpadded).
func reframe(b []byte, h string) []byte {
	n := binary.LittleEndian.Uint64(b)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, b[8+n:]...)
}

func header(b []byte) string {
	n := binary.LittleEndian.Uint64(b)
	return string(b[8 : 8+n])
}
