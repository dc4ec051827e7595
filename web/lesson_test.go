package web

import (
	"strings"
	"testing"
)

// A link's lesson wins over the saved lab, key by key: what the link does
// not name comes from the saved lab, and the URL then holds the whole lesson.
func TestLinkLessonWinsOverSavedLab(t *testing.T) {
	st := newMemStore()
	a, _ := workedLab(t, st)
	if !a.saveOnce() {
		t.Fatal("saver stopped")
	}
	b := startPage(t, newFakeEngine(), st, "?sp1=0.5&rows=77&review=hello&ftepochs=2&galphas=0.1,0.2")
	waitFor(t, b, "the restored variants", func() bool { return len(b.Variants) == 2 })
	b.Env.Lock()
	defer b.Env.UnlockOnly()
	cc := &b.CompressStep
	if cc.CFinal != 0.5 || cc.CEpochs != 2 || cc.CAlpha != 0.9 || b.DataStep.Limit != 77 || b.TryStep.Review != "hello" {
		t.Fatalf("final %g, epochs %d, alpha %g (saved 0.9), limit %d, review %q", cc.CFinal, cc.CEpochs, cc.CAlpha, b.DataStep.Limit, b.TryStep.Review)
	}
	if cc.GridAlphas != "0.1, 0.2" || cc.GridTs != "2" {
		t.Fatalf("grid values %q × %q, want the link's α and the saved T (2)", cc.GridAlphas, cc.GridTs)
	}
	if len(b.BadURL) != 0 {
		t.Fatalf("ignored %v", b.BadURL)
	}
	q := b.Br.Query()
	for _, kv := range []string{"sp1=0.5", "alpha=0.9", "rows=77", "review=hello", "ftepochs=2", "galphas=0.1%2C0.2", "gts=2"} {
		if !strings.Contains(q, kv) {
			t.Errorf("the URL %s lacks %s", q, kv)
		}
	}
}
