package modelfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"sentilab/core/fingerprint"
)

// A file carries its training reviews' fingerprints through Write and
// Load; a file without them loads with none.
func TestFingerprintsRoundTrip(t *testing.T) {
	fp, err := fingerprint.New([]string{"a fine film", "a dull film", "a fine film"}, fingerprint.DefaultBits)
	if err != nil {
		t.Fatal(err)
	}
	meta := testMeta
	meta.Fingerprints = fp
	f, err := Encode(randomModel(t, smallCfg, 3), vocabOf(smallCfg.Vocab), meta)
	if err != nil {
		t.Fatal(err)
	}
	b := encodeBytes(t, f)
	ld, err := Load(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := ld.Meta.Fingerprints
	if got == nil || got.Len() != 2 || !got.Contains("a dull film") || got.Contains("a great film") {
		t.Fatalf("fingerprints %+v", got)
	}
	if ld.File.Tensor(TensorFingerprints) == nil {
		t.Error("no fingerprint tensor in the file")
	}
	plain := smallFile(t)
	if ld, err := Load(bytes.NewReader(plain), int64(len(plain))); err != nil || ld.Meta.Fingerprints != nil {
		t.Errorf("a file without fingerprints: %v, %v", ld.Meta.Fingerprints, err)
	}
	// Given twice: as a tensor and in Meta.
	if _, err := NewFile(smallCfg, vocabOf(smallCfg.Vocab), meta, f.Tensors); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("fingerprints twice: %v", err)
	}
}

// A bad fingerprint tensor is refused, naming it and the problem.
func TestFingerprintsRefused(t *testing.T) {
	fp, _ := fingerprint.New([]string{"x", "y"}, fingerprint.DefaultBits)
	good := fp.Encode()
	f, err := Encode(randomModel(t, smallCfg, 3), vocabOf(smallCfg.Vocab), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		t    Tensor
		want string
	}{
		{"dtype", I8Tensor(TensorFingerprints, []int{len(good)}, make([]int8, len(good))), fmt.Sprintf(`tensor "train.fingerprints": I8 [%d], want U8 [bytes]`, len(good))},
		{"shape", U8Tensor(TensorFingerprints, []int{1, len(good)}, good), "want U8 [bytes]"},
		{"truncated", U8Tensor(TensorFingerprints, []int{len(good) - 1}, good[:len(good)-1]), `tensor "train.fingerprints": fingerprint: count 2 needs at least 42 bits`},
		{"version", U8Tensor(TensorFingerprints, []int{2}, []byte{9, 20}), "fingerprint: version 9, want 1"},
	} {
		bad := &File{Metadata: f.Metadata, Tensors: append(append([]Tensor(nil), f.Tensors...), c.t)}
		b := encodeBytes(t, bad)
		if _, err := Load(bytes.NewReader(b), int64(len(b))); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}
