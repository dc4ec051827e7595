package train

import "sentilab/protocol"

// The result types are the protocol's (stdlib-only), so the engine, the
// page, the server and the command line read the very structs the core
// fills: one definition of their JSON.
type (
	// ClassReport is one row of scikit-learn's classification_report.
	ClassReport = protocol.ClassReport
	// Metrics is the thesis's evaluation: loss, accuracy, confusion matrix
	// ([true class][predicted class]) and the classification report
	// (classes "negative" = 0, "positive" = 1).
	Metrics = protocol.Metrics
	// Epoch is one row of the history, like Keras's History.history.
	Epoch = protocol.Epoch
	// Result is what Fit did.
	Result = protocol.FitResult
)
