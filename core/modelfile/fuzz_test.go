package modelfile

import (
	"bytes"
	"reflect"
	"testing"
)

// compressedFile is a valid model file using every encoding.
func compressedFile(t testing.TB) []byte {
	c := smallCfg
	m := randomModel(t, c, 2)
	mask, vals := PackMask(m.Recurrent)
	ts := []Tensor{
		I8Tensor("embedding.weight", []int{c.Vocab, c.Embed}, make([]int8, c.Vocab*c.Embed)),
		F32Tensor("embedding.weight.scale", []int{c.Vocab, 1}, make([]float32, c.Vocab)),
		F16Tensor("lstm.kernel", []int{c.Embed, 4 * c.Hidden}, m.Kernel),
		U8Tensor("lstm.recurrent.mask", []int{len(mask)}, mask),
		F32Tensor("lstm.recurrent.values", []int{len(vals)}, vals),
		F32Tensor("lstm.bias", []int{4 * c.Hidden}, m.Bias),
		F32Tensor("dense.weight", []int{c.Hidden, 1}, m.DenseW),
		F32Tensor("dense.bias", []int{1}, m.DenseB),
	}
	f, err := NewFile(c, vocabOf(c.Vocab), Meta{Variant: "mixed"}, ts)
	if err != nil {
		t.Fatal(err)
	}
	return encodeBytes(t, f)
}

// FuzzRead: any bytes either parse into a file that writes back to a file
// parsing the same, or are refused with an error; nothing panics, and
// Decode never panics on what Parse accepts.
func FuzzRead(f *testing.F) {
	f.Add(smallFile(f))
	f.Add(compressedFile(f))
	f.Add([]byte("\x08\x00\x00\x00\x00\x00\x00\x00{}      "))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		Decode(file) // must not panic; may refuse
		var out bytes.Buffer
		if err := Write(&out, file); err != nil {
			t.Fatalf("parsed file does not write back: %v", err)
		}
		again, err := Parse(out.Bytes())
		if err != nil {
			t.Fatalf("written file does not parse: %v", err)
		}
		if len(again.Tensors) != len(file.Tensors) || len(again.Metadata) != len(file.Metadata) {
			t.Fatalf("round trip changed the file: %d/%d tensors", len(again.Tensors), len(file.Tensors))
		}
		for i := range file.Tensors {
			a, b := file.Tensors[i], again.Tensors[i]
			if a.Name != b.Name || a.DType != b.DType || !reflect.DeepEqual(a.Shape, b.Shape) || !bytes.Equal(a.Data, b.Data) {
				t.Fatalf("tensor %d changed: %q vs %q", i, a.Name, b.Name)
			}
		}
		for k, v := range file.Metadata {
			if again.Metadata[k] != v {
				t.Fatalf("metadata %q changed", k)
			}
		}
	})
}
