package protocol

// How an evaluation recognised the model's training reviews
// (Evaluation.Training).
const (
	// TrainingFingerprints: by the fingerprints its file records.
	TrainingFingerprints = "fingerprints"
	// TrainingSplit: by re-deriving its recorded split on the same data
	// (the training reviews hash to its provenance), or at training.
	TrainingSplit = "split"
	// TrainingUnknown: neither; Seen and Unseen are 0.
	TrainingUnknown = "unknown"
)

// Evaluation is a score on some reviews, split by whether the model was
// trained on them: a model scored on its own training reviews looks
// better than it is. The embedded Metrics are on all the reviews: the
// keys the evaluate reply had before the split.
type Evaluation struct {
	*Metrics
	Data     string `json:"data"`     // which reviews: "the test split (seed 42, 20%, permutation rule) of 5,000 reviews"
	Training string `json:"training"` // TrainingFingerprints, TrainingSplit or TrainingUnknown
	Seen     int    `json:"seen"`     // of the N reviews, those the model trained on
	Unseen   int    `json:"unseen"`   // the others (N − Seen when known)
	// SeenMetrics and UnseenMetrics score each part; nil when it is empty
	// or unknown.
	SeenMetrics   *Metrics `json:"seen_metrics,omitempty"`
	UnseenMetrics *Metrics `json:"unseen_metrics,omitempty"`
	// Note says it in a sentence: "802 of 1,000 reviews were in this
	// model's training set; on the 198 unseen: 86.36%".
	Note string `json:"note"`
	// Act7 says an int8 model ran with its 7-bit hidden state
	// (EvaluateRequest.Act7).
	Act7 bool `json:"act7,omitempty"`
}
