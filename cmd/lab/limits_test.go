package main

import "testing"

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "64MiB": 64 << 20, "1 GiB": 1 << 30, "2kb": 2000, "-1": -1, "3M": 3 << 20} {
		var n int64
		if err := (byteSize{&n}).Set(in); err != nil || n != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "1.5GiB", "12 parsecs", "-2", "99999999999GiB"} {
		var n int64
		if err := (byteSize{&n}).Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, n)
		}
	}
}
