package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// bar draws a progress bar with ETA on stderr: redrawn in place on a
// terminal, one line every few seconds otherwise (logs, CI).
type bar struct {
	w        io.Writer
	tty      bool
	last     time.Time
	start    time.Time
	lastLine string
}

func newBar() *bar {
	fi, err := os.Stderr.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return &bar{w: os.Stderr, tty: tty, start: time.Now()}
}

// update shows done/total with a label; eta < 0 means "estimate from rate".
func (b *bar) update(done, total int, label string, eta time.Duration) {
	now := time.Now()
	final := done >= total
	every := 200 * time.Millisecond
	if !b.tty {
		every = 5 * time.Second
	}
	if !final && now.Sub(b.last) < every {
		return
	}
	b.last = now
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	if eta < 0 && done > 0 {
		el := now.Sub(b.start)
		eta = time.Duration(float64(el) * (1 - frac) / frac)
	}
	const width = 28
	n := int(frac * width)
	line := fmt.Sprintf("[%s%s] %5.1f%% %s  ETA %s", strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac, label, fmtDur(eta))
	if b.tty {
		fmt.Fprintf(b.w, "\r%s\x1b[K", line)
		if final {
			fmt.Fprintln(b.w)
		}
	} else if line != b.lastLine {
		fmt.Fprintln(b.w, line)
	}
	b.lastLine = line
}

func (b *bar) done() {
	if b.tty && b.lastLine != "" && !strings.Contains(b.lastLine, "100.0%") {
		fmt.Fprintln(b.w)
	}
}

func fmtDur(d time.Duration) string {
	if d < 0 {
		return "--"
	}
	d = d.Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
