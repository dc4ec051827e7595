package web

import "sentilab/protocol"

// readerLimits sizes the reader's limits (core/data.Options) to a tab of
// memBytes of memory (tabMemory: navigator.deviceMemory, else
// performance.memory.jsHeapSizeLimit; 0 when the browser says neither).
//
// The rule: the review text the engine holds (then cleans and tokenizes,
// about three copies at once) may take an eighth of the memory, never less
// than 128 MiB (the Kaggle CSV's 66 MB of text must fit on any machine)
// nor more than the reader's own default of 256 MiB; a browser that says
// nothing gets the floor. The decompressed stream may run four times that
// (it is not held), the rows one per 256 bytes of that text budget (the
// 50,000 IMDB reviews average 1.3 KB). One record and the gzip ratio keep
// the command line's bounds: they guard against bombs, not against a small
// machine. A refusal names the limit it hit; the worker lives on.
func readerLimits(memBytes int64) (maxBytes, maxText int64, maxRows int, maxReview int64, maxRatio float64) {
	const mib = 1 << 20
	maxText = min(max(memBytes/8, 128*mib), 256*mib)
	maxBytes = 4 * maxText
	maxRows = min(int(maxText/256), 1_000_000)
	return maxBytes, maxText, maxRows, 1 * mib, 100
}

// withLimits returns req with the reader's limits for this tab.
func withLimits(req protocol.LoadDataRequest) protocol.LoadDataRequest {
	req.MaxBytes, req.MaxTextBytes, req.MaxRows, req.MaxReviewBytes, req.MaxRatio = readerLimits(tabMemory())
	return req
}
