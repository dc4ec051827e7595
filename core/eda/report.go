package eda

// Report is the whole EDA of one corpus.
type Report struct {
	Rows int `json:"rows"`
	// NullReviews counts empty texts (pandas reads an empty CSV field as NaN).
	NullReviews int `json:"null_reviews"`
	// DuplicateReviews counts texts equal to an earlier text
	// (df.review.duplicated().sum()); DuplicateRows also requires the same
	// label (df.duplicated().sum()).
	DuplicateReviews int `json:"duplicate_reviews"`
	DuplicateRows    int `json:"duplicate_rows"`
	// ContradictoryTexts counts texts that occur with both labels.
	ContradictoryTexts int `json:"contradictory_texts"`
	// Warnings says what a student should know before training on the
	// data: one class only, contradictory labels, duplicates that a random
	// split can put on both sides (data.Hygiene.Warnings).
	Warnings []string `json:"warnings,omitempty"`

	Describe struct {
		Review    Describe `json:"review"`
		Sentiment Describe `json:"sentiment"`
	} `json:"describe"`

	// Classes holds negative (label 0) then positive (label 1).
	Classes []ClassStats `json:"classes"`

	// WordCountPercentiles are 0, 5, ..., 100 over all reviews, with
	// pandas' (numpy's) linear interpolation.
	WordCountPercentiles []Percentile `json:"word_count_percentiles"`

	// DistinctChars is the number of distinct code points in the cleaned
	// corpus, the space included; Chars lists them in code point order.
	DistinctChars int    `json:"distinct_chars"`
	Chars         string `json:"chars"`

	TFIDF TFIDF `json:"tfidf"`
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
	Sentiment string `json:"sentiment"`
	Label     int    `json:"label"`
	Count     int    `json:"count"`
	// WordCount is len(cleaned.split()); CharLength is len(cleaned) in
	// Unicode code points, as Python's len of a str.
	WordCount  Summary `json:"word_count"`
	CharLength Summary `json:"char_length"`
	// Histograms for the charts; both classes share bin edges.
	WordCountHist  Histogram `json:"word_count_hist"`
	CharLengthHist Histogram `json:"char_length_hist"`
	// TopWords are the most frequent cleaned words for a word cloud.
	TopWords []WordFreq `json:"top_words"`
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

// Histogram has len(Edges) == len(Counts)+1; bin i is [Edges[i], Edges[i+1]),
// the last bin closed, as numpy.histogram.
type Histogram struct {
	Edges  []float64 `json:"edges"`
	Counts []int     `json:"counts"`
}

// WordFreq is a word and its number of occurrences.
type WordFreq struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

// TFIDF is the result of scikit-learn's TfidfVectorizer(stop_words='english',
// max_features=MaxFeatures) over the cleaned texts, averaged over documents.
type TFIDF struct {
	MaxFeatures int `json:"max_features"`
	// Vocabulary is the number of distinct terms before max_features.
	Vocabulary int `json:"vocabulary"`
	// Top are the highest mean TF-IDF scores, best first.
	Top []TermScore `json:"top"`
}

// TermScore is a term's mean TF-IDF over all documents.
type TermScore struct {
	Term  string  `json:"term"`
	Score float64 `json:"score"`
}
