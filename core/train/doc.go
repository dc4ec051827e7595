// Package train fits and evaluates the classifier: Keras's fit loop (epochs,
// batches, validation split, per-epoch history, early stopping), progress
// events per batch with examples/s and ETA, cancellation through a context,
// and the thesis's classification report.
//
// Evaluation runs in chunks bounded in bytes and FLOPs (EvalOptions), so its
// memory and the delay of a cancel do not grow with max_len or the widths;
// each logit depends only on its own review, so natively the chunking never
// changes a bit.
//
// A batch is split into shards, one per worker; each worker runs forward and
// backward on its shard into its own gradients, and the gradients are summed
// in shard order, so the result depends on the seed and the number of workers,
// never on timing.
package train
