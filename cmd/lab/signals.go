package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"sentilab/core/modelfile"
)

// signalGrace is how long a command has, after SIGINT or SIGTERM cancels
// its context, to return on its own before exitOnSignal ends the process.
// Every long loop in the core checks its context well within this, except
// the steps that take none (cleaning and tokenizing the reviews, one
// training batch): there the watchdog is what keeps Ctrl-C under 200 ms.
const signalGrace = 100 * time.Millisecond

// exitOnSignal waits for ctx (the signal context) to end, gives the command
// signalGrace to unwind, then removes this process's temp files and exits
// with 130, as the shell does for Ctrl-C. Run it in a goroutine.
func exitOnSignal(ctx context.Context) {
	<-ctx.Done()
	time.Sleep(signalGrace)
	modelfile.RemoveTemps()
	fmt.Fprintln(os.Stderr, "\nlab: cancelled")
	os.Exit(130)
}
