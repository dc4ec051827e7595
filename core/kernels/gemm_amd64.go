//go:build amd64

package kernels

//go:generate go run gemm_gen.go

import (
	"sync"

	"golang.org/x/sys/cpu"
)

// Fast is the amd64 assembly kernel: a BLIS-style loop nest around a
// register-blocked micro-kernel (8×32 with AVX-512, 6×16 with AVX2+FMA), with
// no packing except for transposed B and edge tiles. On the LSTM's shapes it
// runs 5-15× gonum's blas32 (BenchmarkGemm). Its Gemm is nil when the CPU
// lacks AVX2 and FMA; Default then falls back to Gonum. Results differ
// from Portable in the last bits (FMA, different summation order), so
// Portable stays the kernel for bit-exact native/wasm reproduction.
var Fast = fastKernels()

// HasFast reports whether Fast can run on this CPU.
func HasFast() bool { return Fast.Gemm != nil }

func fastKernels() Kernels {
	if ks := FastCandidates(); len(ks) > 0 {
		return ks[0]
	}
	return Kernels{Name: "fast-unavailable"}
}

// FastCandidates lists the variants this CPU runs, fastest first (tests run
// them all, so the AVX2 path is checked on AVX-512 machines too).
func FastCandidates() []Kernels {
	var ks []Kernels
	if cpu.X86.HasAVX512F { // also checks the OS saves the ZMM state
		ks = append(ks, withNativeInt8(Kernels{Name: "fast-avx512", Gemm: gemmDriver{avx512Micro}.gemm,
			Cells: cellsAVX512, CellsBackward: cellsBackwardAVX512}))
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, withNativeInt8(Kernels{Name: "fast-avx2", Gemm: gemmDriver{avx2Micro}.gemm,
			Cells: cellsAVX2, CellsBackward: cellsBackwardAVX2}))
	}
	return ks
}

// A micro-kernel computes c[mr,nr] += Σ_p A(i,p)·B(p,j) for p < k, reading
// A(i,p) at a[i*rsA+p*csA] (any strides, so row-major A, transposed A and a
// packed edge panel all work without copying) and B(p,j) at b[p*ldb+j] (rows
// of nr contiguous floats). Strides are in elements. The caller guarantees
// every touched element is in bounds.
type microKernel struct {
	mr, nr int
	fn     func(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int)
	// transpose packs transposed B a tb×tb block at a time (nr % tb == 0):
	// dst[p*ldd+j] = src[j*lds+p] for j, p < tb.
	transpose func(dst *float32, ldd int, src *float32, lds int)
	tb        int
}

var (
	avx2Micro   = microKernel{6, 16, gemmAVX2x6x16, transpose8AVX2, 8}
	avx512Micro = microKernel{8, 32, gemmAVX512x8x32, transpose16AVX512, 16}
)

//go:noescape
func gemmAVX2x6x16(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func gemmAVX512x8x32(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func transpose8AVX2(dst *float32, ldd int, src *float32, lds int)

//go:noescape
func transpose16AVX512(dst *float32, ldd int, src *float32, lds int)

// Cache blocking: a pass covers gemmKC steps of the reduction, so one B panel
// (kc×nr floats, 32 KB at nr = 32) stays in L1 while the micro-kernel sweeps
// down gemmMC rows of A (mc×kc floats, 192 KB: L2).
const (
	gemmKC = 256
	gemmMC = 192
)

type gemmDriver struct{ mk microKernel }

// gemmScratch holds the packed panels of one call. Pooled, so concurrent
// calls (one per training shard) never share one.
type gemmScratch struct {
	bpack []float32 // transB: B(pc:pc+kb, :) as ⌈n/nr⌉ zero-padded kb×nr panels
	bedge []float32 // the last, partial B panel (kb×nr, zero-padded)
	aedge []float32 // the last, partial row block of A (kb×mr, zero-padded)
	ctile []float32 // mr×nr product of an edge tile before it is added to c
}

var gemmScratchPool = sync.Pool{New: func() any { return new(gemmScratch) }}

func growZero(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func (d gemmDriver) gemm(transA, transB bool, m, n, k int, a, b, c []float32) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	_ = a[m*k-1]
	_ = b[k*n-1]
	_ = c[m*n-1]
	if transA && transB {
		panic("kernels: Gemm with both operands transposed is not used")
	}
	mr, nr, fn := d.mk.mr, d.mk.nr, d.mk.fn
	// A(i,p) = a[i*rsA + p*csA]; B(p,j) = b[p*n+j], or b[j*k+p] when transB.
	rsA, csA := k, 1
	if transA {
		rsA, csA = 1, m
	}
	s := gemmScratchPool.Get().(*gemmScratch)
	defer gemmScratchPool.Put(s)
	s.ctile = growZero(s.ctile, mr*nr)
	nPanels := (n + nr - 1) / nr
	for pc := 0; pc < k; pc += gemmKC {
		kb := min(gemmKC, k-pc)
		if transB {
			if cap(s.bpack) < nPanels*kb*nr {
				s.bpack = make([]float32, nPanels*kb*nr)
			}
			s.bpack = s.bpack[:nPanels*kb*nr]
			if n%nr != 0 { // padding columns must be zero; the rest is overwritten
				clear(s.bpack[(nPanels-1)*kb*nr:])
			}
			d.packBT(s.bpack, b, pc, kb, n, k)
		} else if n%nr != 0 {
			s.bedge = growZero(s.bedge, kb*nr)
			j0 := n - n%nr
			for p := 0; p < kb; p++ {
				copy(s.bedge[p*nr:p*nr+n-j0], b[(pc+p)*n+j0:(pc+p+1)*n])
			}
		}
		for ic := 0; ic < m; ic += gemmMC {
			mb := min(gemmMC, m-ic)
			iFull := ic + mb - mb%mr // rows [iFull, ic+mb) form the partial block
			if iFull < ic+mb {
				s.aedge = growZero(s.aedge, kb*mr)
				for p := 0; p < kb; p++ {
					for i := iFull; i < ic+mb; i++ {
						s.aedge[p*mr+i-iFull] = a[i*rsA+(pc+p)*csA]
					}
				}
			}
			for q := 0; q < nPanels; q++ {
				jr := q * nr
				nb := min(nr, n-jr)
				var bp *float32
				ldb := nr
				switch {
				case transB:
					bp = &s.bpack[q*kb*nr]
				case nb < nr:
					bp = &s.bedge[0]
				default:
					bp, ldb = &b[pc*n+jr], n
				}
				for ir := ic; ir < ic+mb; ir += mr {
					if ir < iFull && nb == nr {
						fn(kb, &a[ir*rsA+pc*csA], rsA, csA, bp, ldb, &c[ir*n+jr], n)
						continue
					}
					// Edge tile: full-size product into ctile, then add
					// the part inside c.
					ap, rs, cs := &a[ir*rsA+pc*csA], rsA, csA
					if ir >= iFull {
						ap, rs, cs = &s.aedge[0], 1, mr
					}
					clear(s.ctile)
					fn(kb, ap, rs, cs, bp, ldb, &s.ctile[0], nr)
					for i := 0; i < min(mr, m-ir); i++ {
						cr := c[(ir+i)*n+jr : (ir+i)*n+jr+nb]
						for j, v := range s.ctile[i*nr : i*nr+nb] {
							cr[j] += v
						}
					}
				}
			}
		}
	}
}

// packBT packs rows pc..pc+kb of op(B) = bᵀ (b is [n,k]) into panels of nr
// columns: panel q holds B(p, q*nr+j) at dst[q*kb*nr + p*nr + j]. The last
// panel is zeroed beforehand, so its padding columns stay zero.
// This transpose costs as much as the product itself when m is small (the
// recurrent step's dh = dZ·Rᵀ has m = 32-64), hence the register transposes.
func (d gemmDriver) packBT(dst, b []float32, pc, kb, n, k int) {
	nr, tb := d.mk.nr, d.mk.tb
	j := 0
	for ; j+nr <= n; j += nr {
		pan := dst[j*kb : (j+nr)*kb]
		p := 0
		for ; p+tb <= kb; p += tb {
			for h := 0; h < nr; h += tb {
				_ = b[(j+h+tb-1)*k+pc+p+tb-1] // the block is in bounds
				_ = pan[(p+tb-1)*nr+h+tb-1]
				d.mk.transpose(&pan[p*nr+h], nr, &b[(j+h)*k+pc+p], k)
			}
		}
		for ; p < kb; p++ {
			for jj := range nr {
				pan[p*nr+jj] = b[(j+jj)*k+pc+p]
			}
		}
	}
	for ; j < n; j++ {
		src := b[j*k+pc : j*k+pc+kb]
		q, jj := j/nr, j%nr
		col := dst[q*kb*nr+jj:]
		for p, v := range src {
			col[p*nr] = v
		}
	}
}
