package data

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// aclImdb layout: [top/]{train,test}/{pos,neg}/NAME.txt. Files whose name
// starts with "." (macOS puts ._NAME AppleDouble files in tars) and every
// other file (README, imdb.vocab, *.feat, urls_*.txt, the unsup folder) are
// ignored.

// member is one review file found in a tar or a folder.
type member struct {
	rel  string // path below the top folder, e.g. "train/pos/0_9.txt"
	full string // path as found, for errors
	rev  Review
}

// classify returns the top folder ("" if none), the path below it, and the
// label of an aclImdb review path written with slashes.
func classify(p string) (top, rel string, label int, ok bool) {
	parts := strings.Split(p, "/")
	switch len(parts) {
	case 3:
	case 4:
		top, parts = parts[0], parts[1:]
	default:
		return "", "", 0, false
	}
	split, class, file := parts[0], parts[1], parts[2]
	if split != "train" && split != "test" {
		return "", "", 0, false
	}
	switch class {
	case "pos":
		label = 1
	case "neg":
		label = 0
	default:
		return "", "", 0, false
	}
	if !strings.HasSuffix(file, ".txt") || strings.HasPrefix(file, ".") {
		return "", "", 0, false
	}
	return top, strings.Join(parts, "/"), label, true
}

// collector gathers members, refusing a second top folder or a duplicate.
type collector struct {
	file    string
	top     string
	members []member
	seen    map[string]bool
	budget  *budget
}

func (c *collector) add(p string, body []byte) error {
	top, rel, label, ok := classify(p)
	if !ok {
		return nil
	}
	if len(c.members) == 0 {
		c.top, c.seen = top, map[string]bool{}
	} else if top != c.top {
		return &Error{File: c.file, Member: p, Msg: fmt.Sprintf(
			"reviews under two top folders, %q and %q: keep one aclImdb tree", c.top+"/", top+"/")}
	}
	if c.seen[rel] {
		return &Error{File: c.file, Member: p, Msg: "duplicate review file"}
	}
	c.seen[rel] = true
	if err := c.budget.add(len(body)); err != nil {
		return &Error{File: c.file, Member: p, Msg: err.Error(), Err: err}
	}
	if !utf8.Valid(body) {
		s := string(body)
		return &Error{File: c.file, Member: p, Msg: invalidUTF8(s, 1)}
	}
	c.members = append(c.members, member{rel: rel, full: p, rev: Review{Text: string(body), Label: label}})
	return nil
}

// reviews returns the reviews sorted by path below the top folder, so a tar
// and the folder it was made from give the same order whatever order the
// archive or the file system lists them in.
func (c *collector) reviews() ([]Review, error) {
	if len(c.members) == 0 {
		return nil, &Error{File: c.file, Msg: "no reviews found: want aclImdb files such as " +
			"aclImdb/train/pos/0_9.txt (train or test, pos or neg, *.txt)"}
	}
	sort.Slice(c.members, func(i, j int) bool { return c.members[i].rel < c.members[j].rel })
	out := make([]Review, len(c.members))
	for i, m := range c.members {
		out[i] = m.rev
	}
	return out, nil
}

// readReview reads one review file of at most max bytes (≤ 0: no limit).
func readReview(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		return io.ReadAll(r)
	}
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err == nil && int64(len(body)) > max {
		return nil, &tooLarge{reviewFileTooLarge(-1, max)}
	}
	return body, err
}

// reviewFileTooLarge refuses a review file of size bytes (-1: unknown).
func reviewFileTooLarge(size, max int64) string {
	what := "review file longer than"
	if size >= 0 {
		what = fmt.Sprintf("review file of %d bytes, longer than", size)
	}
	return limitError(what, max, "--max-review-bytes").Error()
}

// readTar reads an aclImdb tar from r, which already enforces the size
// limit and the context. A review's size is checked from its header,
// before its body is read.
func readTar(r io.Reader, name string, opt Options) ([]Review, error) {
	tr := tar.NewReader(r)
	c := &collector{file: name, budget: newBudget(opt)}
	maxReview := opt.maxReviewBytes()
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, ErrTooLarge) || errors.Is(err, context.Canceled) {
				return nil, asError(err, name, "", 0)
			}
			return nil, &Error{File: name, Msg: "bad tar archive: " + err.Error(), Err: err}
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		p := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if _, _, _, ok := classify(p); !ok {
			continue // skipped: tar.Reader discards the body on Next
		}
		if maxReview > 0 && h.Size > maxReview {
			return nil, &Error{File: name, Member: p, Msg: reviewFileTooLarge(h.Size, maxReview), Err: ErrTooLarge}
		}
		body, err := readReview(tr, maxReview)
		if err != nil {
			return nil, asError(err, name, p, 0)
		}
		if err := c.add(p, body); err != nil {
			return nil, err
		}
	}
	return c.reviews()
}

// readDir reads an aclImdb folder: root is the aclImdb folder or its
// parent. A review file's size is checked before it is read (a sparse file
// can claim terabytes), the context between files.
func readDir(ctx context.Context, root string, opt Options) ([]Review, error) {
	c := &collector{file: root, budget: newBudget(opt)}
	limit, maxReview := opt.maxBytes(), opt.maxReviewBytes()
	var total, reported int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			// Review files sit at most three folders down; unsup holds
			// 50,000 unlabelled reviews we would only skip one by one.
			if rel != "." && (strings.Count(rel, "/") >= 3 || d.Name() == "unsup") {
				return fs.SkipDir
			}
			return nil
		}
		if _, _, _, ok := classify(rel); !ok || !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if maxReview > 0 && fi.Size() > maxReview {
			return &Error{File: root, Member: rel, Msg: reviewFileTooLarge(fi.Size(), maxReview), Err: ErrTooLarge}
		}
		if limit > 0 && total+fi.Size() > limit {
			return &Error{File: root, Member: rel, Msg: limitError("review files longer than", limit, "--max-bytes").Error(), Err: ErrTooLarge}
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		body, err := readReview(f, maxReview) // the file may have grown
		f.Close()
		if err != nil {
			return asError(err, root, rel, 0)
		}
		total += int64(len(body))
		if opt.Progress != nil && (total-reported >= progressEvery) {
			reported = total
			opt.Progress(total)
		}
		return c.add(rel, body)
	})
	if opt.Progress != nil && reported != total {
		opt.Progress(total)
	}
	if err != nil {
		return nil, err
	}
	return c.reviews()
}
