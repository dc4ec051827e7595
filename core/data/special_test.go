//go:build linux

package data

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO or a device is refused unless asked for: a FIFO would block in
// open until a writer comes, /dev/zero never ends.
func TestSpecialFilesRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "data.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for path, want := range map[string]string{
		fifo:        "not a regular file but a named pipe (FIFO)",
		"/dev/zero": "not a regular file but a character device",
	} {
		_, err := Open(path, Options{})
		var e *Error
		if !errors.As(err, &e) || e.File != path || !strings.Contains(e.Msg, want) || !strings.Contains(e.Msg, "--allow-special") {
			t.Errorf("%s: got %v, want %q and --allow-special", path, err, want)
		}
	}
	// Asked for, /dev/zero is a stream of NUL bytes: one endless record.
	_, err := Open("/dev/zero", Options{AllowSpecial: true})
	wantLimit(t, err, "/dev/zero", 1, "record longer than 1 MiB")
}

// An allowed FIFO still answers a cancellation: while open waits for a
// writer, and while a read waits for data.
func TestFIFOCancel(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "data.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	cancelAfter := func(d time.Duration) (context.Context, *time.Time) {
		ctx, cancel := context.WithCancel(context.Background())
		at := new(time.Time)
		time.AfterFunc(d, func() { *at = time.Now(); cancel() })
		return ctx, at
	}
	opt := Options{AllowSpecial: true}

	ctx, at := cancelAfter(50 * time.Millisecond)
	_, err := OpenContext(ctx, fifo, opt) // no writer: open blocks
	if lag := time.Since(*at); !errors.Is(err, context.Canceled) || lag > 200*time.Millisecond {
		t.Fatalf("blocked in open: %v after %v, want context.Canceled within 200 ms", err, lag)
	}

	// A writer that sends the header and then nothing.
	done := make(chan struct{})
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		w.WriteString("review,sentiment\nok,positive\n")
		<-done
		w.Close()
	}()
	defer close(done)
	ctx, at = cancelAfter(100 * time.Millisecond)
	_, err = OpenContext(ctx, fifo, opt)
	lag := time.Since(*at)
	if !errors.Is(err, context.Canceled) || lag > 200*time.Millisecond {
		t.Fatalf("blocked in read: %v after %v, want context.Canceled within 200 ms", err, lag)
	}
	t.Logf("a read blocked on a FIFO returned %v after the cancel", lag)
}
