package compress

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
)

var tinyCfg = nn.Config{Vocab: 40, Embed: 6, Hidden: 5, MaxLen: 9, Padding: "post", Masking: true, Dropout: 0.2}

func initModel(t testing.TB, c nn.Config, seed uint64) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(c)
	if err != nil {
		t.Fatal(err)
	}
	nn.Init(m, seed)
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

// randomSet makes n padded sequences of random lengths and random labels.
func randomSet(c nn.Config, n int, seed uint64) train.Set {
	r := rand.New(rand.NewPCG(seed, 9))
	T := c.MaxLen
	s := train.Set{Tokens: make([]int32, n*T), Labels: make([]float32, n), N: n}
	for i := 0; i < n; i++ {
		L := 1 + r.IntN(T)
		if i%7 == 0 {
			L = 0 // an empty review: only padding
		}
		for t := 0; t < L; t++ {
			s.Tokens[i*T+t] = int32(1 + r.IntN(c.Vocab+3)) // some beyond V: OOV
		}
		s.Labels[i] = float32(r.IntN(2))
	}
	return s
}

// roundTrip writes tensors as a model file, reads it back and decodes it.
func roundTrip(t testing.TB, m *nn.Model, ts []modelfile.Tensor, variant string) (*modelfile.Loaded, []byte) {
	t.Helper()
	f, err := modelfile.NewFile(m.Cfg, vocabOf(m.Cfg.Vocab), modelfile.Meta{Variant: variant}, ts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := modelfile.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	ld, err := modelfile.Load(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return ld, b.Bytes()
}
