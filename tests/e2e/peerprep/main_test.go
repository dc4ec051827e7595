package main

import (
	"fmt"
	"slices"
	"testing"

	"sentilab/core/data"
)

// TestEngineLayout: the engine's seeded split of the laid-out rows is
// exactly the wanted reviews, in order (what makes its evaluate run the
// same reviews as ORT).
func TestEngineLayout(t *testing.T) {
	for _, n := range []int{1000, 999, 2500, 10000, 10, 1} {
		want := make([]data.Review, n)
		for i := range want {
			want[i] = data.Review{Text: fmt.Sprintf("review %d", i), Label: i % 2}
		}
		rows, frac, err := engineLayout(want, 42)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		train, test, err := data.Split(rows, frac, 42)
		if err != nil {
			t.Fatal(err)
		}
		if len(train) != 1 || !slices.Equal(test, want) {
			t.Errorf("n=%d: split gives %d training rows and a test set equal to the wanted one: %v; want 1 and true",
				n, len(train), slices.Equal(test, want))
		}
	}
}

// TestGateOrder: the int8 LSTM weights keep the layout [in, 4H] with the
// gate blocks in ONNX order, and agree with the float layout [4H, in].
func TestGateOrder(t *testing.T) {
	const in, H = 3, 2
	w := make([]float32, in*4*H)
	q := make([]int8, in*4*H)
	for i := range w {
		w[i], q[i] = float32(i), int8(i)
	}
	rows := gatesByRow(w, in, H) // [4H, in]
	cols := gateCols(q, in, H)   // [in, 4H]
	for e := 0; e < in; e++ {
		for k := 0; k < 4*H; k++ {
			if float32(cols[e*4*H+k]) != rows[k*in+e] {
				t.Fatalf("[%d, %d]: int8 layout %d, float layout %v", e, k, cols[e*4*H+k], rows[k*in+e])
			}
		}
	}
	// ONNX gate k=1 (o) is Keras gate 3 (o): its first unit, input 0, is w[0*8 + 3*2].
	if rows[1*H*in] != w[3*H] {
		t.Errorf("ONNX gate o starts with %v, want Keras column %d (%v)", rows[1*H*in], 3*H, w[3*H])
	}
}
