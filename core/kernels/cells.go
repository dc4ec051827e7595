package kernels

// lstmCells applies the gate nonlinearities of one step in place and updates
// the cell: a [n,4H] holds pre-activations i, f, g, o on entry, activations on
// return; cprev is nil at t = 0 (zero state).
func lstmCells(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	G := 4 * H
	for r := 0; r < n; r++ {
		ar := a[r*G : (r+1)*G]
		ig, fg, gg, og := ar[:H], ar[H:2*H], ar[2*H:3*H], ar[3*H:G]
		cr, tr, hr := cOut[r*H:(r+1)*H], tcOut[r*H:(r+1)*H], hOut[r*H:(r+1)*H]
		for j := 0; j < H; j++ {
			i := sigmoid32(ig[j])
			f := sigmoid32(fg[j])
			g := tanh32(gg[j])
			o := sigmoid32(og[j])
			ig[j], fg[j], gg[j], og[j] = i, f, g, o
			cv := i * g
			if cprev != nil {
				cv = float32(f*cprev[r*H+j]) + float32(i*g)
			}
			tc := tanh32(cv)
			cr[j], tr[j], hr[j] = cv, tc, o*tc
		}
	}
}

// lstmCellsBackward turns dh, dc (gradients at the step's outputs) into dz,
// the gradient at the gate pre-activations, and leaves in dc the gradient
// flowing to the previous cell state.
func lstmCellsBackward(a, cprev, tc, dh, dc, dz []float32, n, H int) {
	G := 4 * H
	for r := 0; r < n; r++ {
		ar, dzr := a[r*G:(r+1)*G], dz[r*G:(r+1)*G]
		for j := 0; j < H; j++ {
			i, f, g, o := ar[j], ar[H+j], ar[2*H+j], ar[3*H+j]
			t := tc[r*H+j]
			dhv := dh[r*H+j]
			dcv := dc[r*H+j] + float32(dhv*o)*(1-t*t)
			var cp float32
			if cprev != nil {
				cp = cprev[r*H+j]
			}
			dzr[j] = float32(dcv*g) * float32(i*(1-i))
			dzr[H+j] = float32(dcv*cp) * float32(f*(1-f))
			dzr[2*H+j] = float32(dcv*i) * (1 - g*g)
			dzr[3*H+j] = float32(dhv*t) * float32(o*(1-o))
			dc[r*H+j] = dcv * f
		}
	}
}
