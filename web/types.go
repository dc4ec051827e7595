package web

// JSON shapes of the engine's replies (wasm/engine), decoded as far as the
// page needs them.

type DataInfo struct {
	Name     string `json:"name"`
	Rows     int    `json:"rows"`
	Positive int    `json:"positive"`
	Negative int    `json:"negative"`
	Hash     string `json:"hash"`
}

type Summary struct {
	Mean float64 `json:"mean"`
	Min  int     `json:"min"`
	Max  int     `json:"max"`
}

type WordFreq struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

type ClassStats struct {
	Sentiment      string     `json:"sentiment"`
	Count          int        `json:"count"`
	WordCount      Summary    `json:"word_count"`
	CharLength     Summary    `json:"char_length"`
	WordCountHist  Histogram  `json:"word_count_hist"`
	CharLengthHist Histogram  `json:"char_length_hist"`
	TopWords       []WordFreq `json:"top_words"`
}

type Describe struct {
	Count  int    `json:"count"`
	Unique int    `json:"unique"`
	Top    string `json:"top"`
	Freq   int    `json:"freq"`
}

type EDA struct {
	Rows             int `json:"rows"`
	NullReviews      int `json:"null_reviews"`
	DuplicateReviews int `json:"duplicate_reviews"`
	DuplicateRows    int `json:"duplicate_rows"`
	Describe         struct {
		Review    Describe `json:"review"`
		Sentiment Describe `json:"sentiment"`
	} `json:"describe"`
	Classes     []ClassStats `json:"classes"`
	Percentiles []struct {
		P     int     `json:"p"`
		Value float64 `json:"value"`
	} `json:"word_count_percentiles"`
	DistinctChars int `json:"distinct_chars"`
	TFIDF         struct {
		Vocabulary int `json:"vocabulary"`
		Top        []struct {
			Term  string  `json:"term"`
			Score float64 `json:"score"`
		} `json:"top"`
	} `json:"tfidf"`
}

type TrainProgress struct {
	Phase     string  `json:"phase"`
	Epoch     int     `json:"epoch"`
	Epochs    int     `json:"epochs"`
	Batch     int     `json:"batch"`
	Batches   int     `json:"batches"`
	Done      int     `json:"done"`
	Total     int     `json:"total"`
	Loss      float64 `json:"loss"`
	Accuracy  float64 `json:"accuracy"`
	BatchLoss float64 `json:"batch_loss"`
	EPS       float64 `json:"examples_per_sec"`
	ETA       float64 `json:"eta_sec"`
	History   []Epoch `json:"history"`
	Bytes     float64 `json:"bytes"`
	TrainRows int     `json:"train_rows"`
	TestRows  int     `json:"test_rows"`
}

type Epoch struct {
	Epoch       int     `json:"epoch"`
	Loss        float64 `json:"loss"`
	Accuracy    float64 `json:"accuracy"`
	ValLoss     float64 `json:"val_loss"`
	ValAccuracy float64 `json:"val_accuracy"`
	Seconds     float64 `json:"seconds"`
}

type ClassReport struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

type Metrics struct {
	N         int                    `json:"n"`
	Loss      float64                `json:"loss"`
	Accuracy  float64                `json:"accuracy"`
	Confusion [2][2]int              `json:"confusion"`
	Classes   map[string]ClassReport `json:"classes"`
	Macro     ClassReport            `json:"macro_avg"`
	Weighted  ClassReport            `json:"weighted_avg"`
}

type ModelConfig struct {
	Vocab   int     `json:"vocab"`
	Embed   int     `json:"embed"`
	Hidden  int     `json:"hidden"`
	MaxLen  int     `json:"max_len"`
	Masking bool    `json:"masking"`
	Dropout float64 `json:"dropout"`
}

type VariantInfo struct {
	Name      string      `json:"name"`
	Kind      string      `json:"kind"`
	Preset    string      `json:"preset"`
	Config    ModelConfig `json:"config"`
	Params    int         `json:"params"`
	NonZero   int         `json:"nonzero"`
	FileBytes int64       `json:"file_bytes"`
	Metrics   *Metrics    `json:"metrics"`
	History   []Epoch     `json:"history"`
	Storage   string      `json:"storage"`
	Sparse    bool        `json:"sparse"`
	Runtime   string      `json:"runtime"` // "int8": scored by the int8 runtime
}

type TrainResult struct {
	Variant string       `json:"variant"`
	History []Epoch      `json:"history"`
	Test    *Metrics     `json:"test"`
	Seconds float64      `json:"seconds"`
	EPS     float64      `json:"examples_per_sec"`
	Params  int          `json:"params"`
	Train   int          `json:"train_rows"`
	Info    *VariantInfo `json:"info"`
}

type WordEffect struct {
	Word  string  `json:"word"`
	Delta float64 `json:"delta"`
}

type Prediction struct {
	Variant     string       `json:"variant"`
	Probability float64      `json:"probability"`
	Label       string       `json:"label"`
	MS          float64      `json:"ms"`
	Words       []WordEffect `json:"words"`
}

type TensorInfo struct {
	Name     string    `json:"name"`
	Shape    []int     `json:"shape"`
	Count    int       `json:"count"`
	Zeros    int       `json:"zeros"`
	Min      float64   `json:"min"`
	Max      float64   `json:"max"`
	Edges    []float64 `json:"edges"`
	Counts   []int     `json:"counts"`
	Distinct int       `json:"distinct"`
}

// ThesisRow is one line of the thesis's results table (DESIGN.md).
type ThesisRow struct {
	Variant  string
	Accuracy string
	SizeKB   float64
	AccPct   float64
	Params   string
}

// ThesisResults are the reference thesis's numbers (80/20 split of the 50k).
var ThesisResults = []ThesisRow{
	{"base (Keras, with optimizer state)", "86.43%", 31578, 86.43, "2,691,713"},
	{"dynamic-range int8 (TFLite)", "86.57%", 2644, 86.57, "2,691,713"},
	{"float16 (TFLite)", "86.43%", 5271, 86.43, "2,691,713"},
	{"magnitude pruning 20%→80%, 3 fine-tune epochs", "86.4–86.8%", 10535, 86.6, "543,847 non-zero"},
	{"distilled student (64/64), α 0.85, T 1.5", "87.6–88.4%", 5149, 88.0, "1,313,089"},
}

// PretrainedModel is one entry of the server's manifest (GET /api/models).
type PretrainedModel struct {
	Name    string             `json:"name"`
	File    string             `json:"file"`
	Bytes   int64              `json:"bytes"`
	SHA256  string             `json:"sha256"`
	Metrics map[string]float64 `json:"metrics"`
}
