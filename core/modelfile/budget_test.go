package modelfile

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
)

// editConfig returns file b with its config metadata changed by edit: the
// header-only edits of issue 11.
func editConfig(t *testing.T, b []byte, edit func(cfg map[string]any), tensors func(f *File)) []byte {
	t.Helper()
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(f.Metadata[KeyConfig]), &cfg); err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	js, _ := json.Marshal(cfg)
	f.Metadata[KeyConfig] = string(js)
	if tensors != nil {
		tensors(f)
	}
	return encodeBytes(t, f)
}

// sparseEmpty is weight name stored as an all-zero mask: a few bytes per
// eight claimed weights.
func sparseEmpty(name string, n int) []Tensor {
	return []Tensor{U8Tensor(name+".mask", []int{MaskBytes(n)}, make([]byte, MaskBytes(n))), F32Tensor(name+".values", []int{0}, nil)}
}

func TestEditedHeaderRefusedBeforeAllocating(t *testing.T) {
	good := smallFile(t)
	const V, E, H = 12, 4096, 4096
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"max_len 100000 without masking", editConfig(t, good, func(c map[string]any) { c["max_len"], c["masking"] = 100000, false }, nil),
			"metadata config: config: max_len 100000 over the budget's 4096"},
		// 16 MiB of masks that claim 2 × 67 M weights (1 GiB as float32).
		{"sparse embed = hidden = 4096", editConfig(t, good, func(c map[string]any) { c["embed"], c["hidden"] = E, H }, func(f *File) {
			var ts []Tensor
			ts = append(ts, sparseEmpty("embedding.weight", V*E)...)
			ts = append(ts, sparseEmpty("lstm.kernel", E*4*H)...)
			ts = append(ts, sparseEmpty("lstm.recurrent", H*4*H)...)
			ts = append(ts, F32Tensor("lstm.bias", []int{4 * H}, make([]float32, 4*H)))
			ts = append(ts, sparseEmpty("dense.weight", H)...)
			ts = append(ts, F32Tensor("dense.bias", []int{1}, []float32{0}))
			f.Tensors = ts
		}), "metadata config: config: embed 4096 over the budget's 2048"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			t0 := time.Now()
			_, err := Load(bytes.NewReader(c.file), int64(len(c.file)))
			elapsed := time.Since(t0)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s", err, c.want)
			}
			// Reading costs the file's bytes once or twice (the container and
			// the parsed tensors), never what the header claims.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*uint64(len(c.file))+1<<20 {
				t.Errorf("allocated %d bytes for a %d-byte file", alloc, len(c.file))
			}
			t.Logf("%d-byte file refused in %v", len(c.file), elapsed)
		})
	}
}
