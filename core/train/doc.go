// Package train fits and evaluates the classifier: Keras's fit loop (epochs,
// batches, validation split, per-epoch history, early stopping with the best
// weights restored), progress events per batch with examples/s and ETA,
// cancellation through a context, and the thesis's classification report.
// It is the one fit loop: the command line, the browser engine (through
// core/lab) and the compression fine-tunes (core/compress) all run it.
//
// Evaluation runs in chunks bounded in bytes and FLOPs (EvalOptions), so its
// memory and the delay of a cancel do not grow with max_len or the widths;
// each logit depends only on its own review, so natively the chunking never
// changes a bit.
//
// A batch's gradient is computed by one rule (chunks.go): W workers share
// its rows, each cuts its share into chunks numbered across the batch that
// pick the dropout masks, and the sums are added in worker order, so the
// result depends on the seed, the number of workers and the kernel, never
// on timing or on which program runs it. Trainer.Grad lets the browser
// engine compute the workers' parts in other Web Workers; Options.Pause
// lets it give JS a turn between chunks.
package train
