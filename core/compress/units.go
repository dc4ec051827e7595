package compress

import (
	"fmt"
	"sort"

	"sentilab/core/nn"
)

// UnitImportance scores each LSTM unit j by the L1 norm of every weight
// that reads from or writes to it: its four gate columns in the kernel, the
// recurrent kernel and the bias, its row of the recurrent kernel (what it
// feeds back) and its dense weight (what it says to the output). A unit
// whose weights are all small changes little when removed.
func UnitImportance(m *nn.Model) []float64 {
	c := m.Cfg
	E, H := c.Embed, c.Hidden
	G := 4 * H
	s := make([]float64, H)
	for j := 0; j < H; j++ {
		for g := 0; g < 4; g++ {
			col := g*H + j
			for k := 0; k < E; k++ {
				s[j] += float64(abs32(m.Kernel[k*G+col]))
			}
			for k := 0; k < H; k++ {
				s[j] += float64(abs32(m.Recurrent[k*G+col]))
			}
			s[j] += float64(abs32(m.Bias[col]))
		}
		for _, w := range m.Recurrent[j*G : (j+1)*G] {
			s[j] += float64(abs32(w))
		}
		s[j] += float64(abs32(m.DenseW[j])) * float64(G)
	}
	return s
}

// PruneUnits removes all but the `keep` most important LSTM units (by
// UnitImportance): the model that comes back has Hidden = keep and the
// kernel, recurrent kernel, bias and dense weights of the kept units only,
// so it is really smaller and faster, not just sparser. kept lists the
// original indices of the units kept, in order.
func PruneUnits(m *nn.Model, keep int) (out *nn.Model, kept []int, err error) {
	c := m.Cfg
	H := c.Hidden
	if keep < 1 || keep > H {
		return nil, nil, fmt.Errorf("prune-units: keep %d units of %d, want 1..%d", keep, H, H)
	}
	score := UnitImportance(m)
	idx := make([]int, H)
	for j := range idx {
		idx[j] = j
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	kept = append([]int(nil), idx[:keep]...)
	sort.Ints(kept)

	nc := c
	nc.Hidden = keep
	out, err = nn.NewModel(nc)
	if err != nil {
		return nil, nil, err
	}
	E, G, G2 := c.Embed, 4*H, 4*keep
	copy(out.Embedding, m.Embedding)
	// Column g·keep+a of the new kernels is column g·H+kept[a] of the old.
	cols := make([]int, 0, G2)
	for g := 0; g < 4; g++ {
		for _, j := range kept {
			cols = append(cols, g*H+j)
		}
	}
	for k := 0; k < E; k++ {
		for a, col := range cols {
			out.Kernel[k*G2+a] = m.Kernel[k*G+col]
		}
	}
	for r, j := range kept {
		for a, col := range cols {
			out.Recurrent[r*G2+a] = m.Recurrent[j*G+col]
		}
		out.DenseW[r] = m.DenseW[j]
	}
	for a, col := range cols {
		out.Bias[a] = m.Bias[col]
	}
	out.DenseB[0] = m.DenseB[0]
	return out, kept, nil
}
