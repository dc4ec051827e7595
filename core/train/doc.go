// Package train fits and evaluates the classifier: Keras's fit loop (epochs,
// batches, validation split, per-epoch history, early stopping), progress
// events per batch with examples/s and ETA, cancellation through a context,
// and the thesis's classification report.
//
// A batch is split into shards, one per worker; each worker runs forward and
// backward on its shard into its own gradients, and the gradients are summed
// in shard order, so the result depends on the seed and the number of workers,
// never on timing.
package train
