package protocol

// EDAReport is the eda reply: core/eda's Report of the loaded corpus, the
// thesis's exploratory analysis. (wasm/engine's tests check that core/eda's
// JSON decodes into it with no key left over.)
type EDAReport struct {
	Rows             int `json:"rows"`
	NullReviews      int `json:"null_reviews"`
	DuplicateReviews int `json:"duplicate_reviews"`
	DuplicateRows    int `json:"duplicate_rows"`
	// ContradictoryTexts counts texts that occur with both labels; Warnings
	// say what a student should know before training on the data.
	ContradictoryTexts int      `json:"contradictory_texts"`
	Warnings           []string `json:"warnings,omitempty"`
	Describe           struct {
		Review    Describe `json:"review"`
		Sentiment Describe `json:"sentiment"`
	} `json:"describe"`
	Classes              []ClassStats `json:"classes"` // negative, then positive
	WordCountPercentiles []Percentile `json:"word_count_percentiles"`
	DistinctChars        int          `json:"distinct_chars"`
	Chars                string       `json:"chars"`
	TFIDF                TFIDF        `json:"tfidf"`
}

// Describe is pandas' describe() of an object column.
type Describe struct {
	Count  int    `json:"count"`
	Unique int    `json:"unique"`
	Top    string `json:"top"`
	Freq   int    `json:"freq"`
}

// ClassStats are the statistics of one sentiment.
type ClassStats struct {
	Sentiment      string     `json:"sentiment"`
	Label          int        `json:"label"`
	Count          int        `json:"count"`
	WordCount      Summary    `json:"word_count"`
	CharLength     Summary    `json:"char_length"`
	WordCountHist  Histogram  `json:"word_count_hist"`
	CharLengthHist Histogram  `json:"char_length_hist"`
	TopWords       []WordFreq `json:"top_words"`
}

// Summary is mean, min and max of an integer feature.
type Summary struct {
	Mean float64 `json:"mean"`
	Min  int     `json:"min"`
	Max  int     `json:"max"`
}

// Percentile is the value at percent P.
type Percentile struct {
	P     int     `json:"p"`
	Value float64 `json:"value"`
}

// Histogram: bin i is [Edges[i], Edges[i+1]), the last one closed.
type Histogram struct {
	Edges  []float64 `json:"edges"`
	Counts []int     `json:"counts"`
}

type WordFreq struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

// TFIDF is scikit-learn's TfidfVectorizer's mean scores.
type TFIDF struct {
	MaxFeatures int         `json:"max_features"`
	Vocabulary  int         `json:"vocabulary"`
	Top         []TermScore `json:"top"`
}

type TermScore struct {
	Term  string  `json:"term"`
	Score float64 `json:"score"`
}
