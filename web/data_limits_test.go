package web

import "testing"

func TestReaderLimits(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		mem         int64
		bytes, text int64
		rows        int
	}{
		{0, 512 * mib, 128 * mib, 524288},          // the browser says nothing: the floor
		{1 << 30, 512 * mib, 128 * mib, 524288},    // 1 GiB: an eighth is below the floor
		{1536 * mib, 768 * mib, 192 * mib, 786432}, // between
		{8 << 30, 1024 * mib, 256 * mib, 1000000},  // 8 GiB: the reader's defaults
	} {
		b, txt, rows, rev, ratio := readerLimits(tc.mem)
		if b != tc.bytes || txt != tc.text || rows != tc.rows || rev != mib || ratio != 100 {
			t.Errorf("readerLimits(%d) = %d, %d, %d, %d, %g; want %d, %d, %d, %d, 100", tc.mem, b, txt, rows, rev, ratio, tc.bytes, tc.text, tc.rows, mib)
		}
	}
}
