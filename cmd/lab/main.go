// Command lab is Sentilab's command line: the same core as the browser lab,
// natively. Subcommands: eda, train, compress, eval, predict, bench, report.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `lab: train and shrink an LSTM sentiment classifier on the IMDB reviews.

Usage:
  lab eda     --data PATH [--json]
  lab train   --preset thesis|fast|classroom --data PATH --out FILE [hyperparameter flags] [--workers N] [--kernels native|portable] [--json]
  lab eval    --model FILE --data PATH [--split all|test] [--train-data PATH] [--json]
  lab predict --model FILE "review text" ["another review" ...]
  lab explain --model FILE [--ig-steps 64] [--json] "review text"
  lab baseline --data PATH [--seed 42 --test-frac 0.2 --c 30 | --tune-c 1,3,10,30,100] [--ood PATH] [--vs LSTM.safetensors] --out FILE [--json]
  lab bench   [--json] [--wasm FILE]
  lab compress --model FILE --method int8|int8-weights|f16|prune|prune-units|distill[,...] --data PATH --out FILE [method flags] [--json]
  lab compress --model FILE --method distill --grid RESULTS.jsonl [--alphas ...] [--temps ...]
  lab report  --models DIR --data PATH [--json] [--wasm FILE]
  lab export  --model FILE --format onnx --out FILE.onnx [--reference REF.json --data PATH --n 1000]
  lab manifest --models DIR [--report REPORT.json] [--train-json [NAME=]TRAIN.json,...] [--data PATH] [--grid RESULTS.jsonl [--grid-teacher FILE]]

The data path defaults to $SENTILAB_DATA: the Kaggle CSV (plain or .gz) or the
Stanford aclImdb folder or .tar.gz. Run "lab COMMAND -h" for a command's flags.
Ctrl-C cancels a long run cleanly.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go exitOnSignal(ctx)
	cmds := map[string]func(context.Context, []string) error{
		"eda":      runEDA,
		"train":    runTrain,
		"eval":     runEval,
		"predict":  runPredict,
		"explain":  runExplain,
		"bench":    runBench,
		"compress": runCompress,
		"report":   runReport,
		"manifest": runManifest,
		"export":   runExport,
		"baseline": runBaseline,
		"layers":   runLayers,
	}
	name := os.Args[1]
	if name == "-h" || name == "--help" || name == "help" {
		fmt.Print(usage)
		return
	}
	cmd, ok := cmds[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "lab: unknown command %q\n\n%s", name, usage)
		os.Exit(2)
	}
	runCtx = ctx // loadData reads under it (limits.go)
	if err := cmd(ctx, os.Args[2:]); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "lab: cancelled")
			os.Exit(130)
		}
		fmt.Fprintf(os.Stderr, "lab %s: %v\n", name, err)
		os.Exit(1)
	}
}
