//go:build amd64

package kernels

//go:generate go run cells_gen.go

// The LSTM gate math in assembly (cells_amd64.s, written by cells_gen.go):
// with the matmuls at assembly speed, the scalar exp32/tanh32 loops were ~44%
// of a native training step. Same algorithms as mathx.go (range reduction,
// degree-6 polynomial, 1/(1+e^-x), (1−e)/(1+e)) on 16 or 8 lanes, with fused
// multiply-adds, so results differ from lstmCells in the last bits.
// Rows whose H is not a multiple of the lane count take the Go loops.

//go:noescape
func cellsFwdAVX512(a, cprev, cOut, tcOut, hOut *float32, n, H int)

//go:noescape
func cellsBwdAVX512(a, cprev, tc, dh, dc, dz *float32, n, H int)

//go:noescape
func cellsFwdAVX2(a, cprev, cOut, tcOut, hOut *float32, n, H int)

//go:noescape
func cellsBwdAVX2(a, cprev, tc, dh, dc, dz *float32, n, H int)

func cellsAVX512(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsAsm(cellsFwdAVX512, 16, a, cprev, cOut, tcOut, hOut, n, H)
}

func cellsBackwardAVX512(a, cprev, tc, dh, dc, dz []float32, n, H int) {
	cellsBackwardAsm(cellsBwdAVX512, 16, a, cprev, tc, dh, dc, dz, n, H)
}

func cellsAVX2(a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	cellsAsm(cellsFwdAVX2, 8, a, cprev, cOut, tcOut, hOut, n, H)
}

func cellsBackwardAVX2(a, cprev, tc, dh, dc, dz []float32, n, H int) {
	cellsBackwardAsm(cellsBwdAVX2, 8, a, cprev, tc, dh, dc, dz, n, H)
}

// cellsAsm checks the bounds the assembly relies on (a [n,4H]; cprev, cOut,
// tcOut, hOut [n,H]) with the same panics the Go loops would raise, then
// runs it.
func cellsAsm(fn func(a, cprev, cOut, tcOut, hOut *float32, n, H int), lanes int,
	a, cprev, cOut, tcOut, hOut []float32, n, H int) {
	if n <= 0 || H <= 0 || H%lanes != 0 {
		lstmCells(a, cprev, cOut, tcOut, hOut, n, H)
		return
	}
	_ = a[n*4*H-1]
	_ = cOut[n*H-1]
	_ = tcOut[n*H-1]
	_ = hOut[n*H-1]
	var cp *float32
	if cprev != nil {
		_ = cprev[n*H-1]
		cp = &cprev[0]
	}
	fn(&a[0], cp, &cOut[0], &tcOut[0], &hOut[0], n, H)
}

func cellsBackwardAsm(fn func(a, cprev, tc, dh, dc, dz *float32, n, H int), lanes int,
	a, cprev, tc, dh, dc, dz []float32, n, H int) {
	if n <= 0 || H <= 0 || H%lanes != 0 {
		lstmCellsBackward(a, cprev, tc, dh, dc, dz, n, H)
		return
	}
	_ = a[n*4*H-1]
	_ = dz[n*4*H-1]
	_ = tc[n*H-1]
	_ = dh[n*H-1]
	_ = dc[n*H-1]
	var cp *float32
	if cprev != nil {
		_ = cprev[n*H-1]
		cp = &cprev[0]
	}
	fn(&a[0], cp, &tc[0], &dh[0], &dc[0], &dz[0], n, H)
}
