package nn

import (
	"strings"
	"testing"
)

var thesisShape = Config{Vocab: 20000, Embed: 128, Hidden: 128, MaxLen: 170, Padding: "post", Dropout: 0.2}

func TestBudgetCosts(t *testing.T) {
	c := thesisShape
	m, err := NewModel(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.NumParams(), int64(m.NumParams()); got != want || got != 2691713 {
		t.Errorf("NumParams %d, model counts %d, thesis 2691713", got, want)
	}
	// 64 examples × 170 steps × 4·(2·128 + 12·128 + 3) bytes.
	if got := 64 * 170 * c.TrainBytesPerStep(); got != 78_118_400 {
		t.Errorf("thesis batch activations %d bytes, want 78118400", got)
	}
	// 170 steps × 8·128·256: the DESIGN's ≈ 45 MFLOP forward (134 with backward).
	if got := 170 * c.FLOPsPerStep(); got != 44_564_480 {
		t.Errorf("thesis forward %d FLOP, want 44564480", got)
	}
}

func TestBudgetAcceptsPresetShapes(t *testing.T) {
	for _, c := range []Config{
		thesisShape,
		{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre", Masking: true},
		{Vocab: 20000, Embed: 64, Hidden: 64, MaxLen: 170, Padding: "post", Masking: true}, // the student
	} {
		if err := c.CheckBudget(DefaultBudget); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestBudgetRefuses(t *testing.T) {
	with := func(f func(*Config)) Config { c := thesisShape; f(&c); return c }
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"issue: header edited to max_len 100000", with(func(c *Config) { c.MaxLen = 100000 }), "max_len 100000 over the budget's 4096"},
		{"issue: embed = hidden = 4096", with(func(c *Config) { c.Embed, c.Hidden = 4096, 4096 }), "embed 4096 over the budget's 2048"},
		{"hidden", with(func(c *Config) { c.Hidden = 2049 }), "hidden 2049 over the budget's 2048"},
		{"vocab", with(func(c *Config) { c.Vocab = 1<<20 + 1 }), "vocab 1048577 over the budget's 1048576"},
		{"params", with(func(c *Config) { c.Vocab, c.Embed = 1<<20, 1024 }), "1074332289 parameters (vocab 1048576, embed 1024, hidden 128) over the budget's 134217728 (512.0 MiB"},
		{"activations", with(func(c *Config) { c.MaxLen, c.Hidden = 4096, 1024 }),
			"max_len 4096 with embed 128 and hidden 1024 needs 12.3 GiB of activations to train a batch of 64, over the budget's 2.0 GiB (max_len ≤ 668 fits"},
		{"flops", with(func(c *Config) { c.MaxLen, c.Embed, c.Hidden = 100, 1024, 1024 }),
			"max_len 100 with embed 1024 and hidden 1024 costs 1.7 GFLOP per example, over the budget's 1.0 (max_len ≤ 59 fits"},
		{"invalid first", with(func(c *Config) { c.Padding = "both" }), `padding "both"`},
	} {
		err := tc.cfg.CheckBudget(DefaultBudget)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// The limits are inclusive: a config exactly at the activation or FLOP
// bound passes, one step more does not.
func TestBudgetEdges(t *testing.T) {
	b := DefaultBudget
	b.MaxExampleFLOPs = 1 << 50 // isolate the activation bound
	c := thesisShape
	c.Hidden = 1024
	c.MaxLen = int(b.MaxActivationBytes / (int64(b.Batch) * c.TrainBytesPerStep()))
	if err := c.CheckBudget(b); err != nil {
		t.Errorf("max_len %d at the activation bound: %v", c.MaxLen, err)
	}
	c.MaxLen++
	if err := c.CheckBudget(b); err == nil || !strings.Contains(err.Error(), "activations") {
		t.Errorf("max_len %d past the activation bound: %v", c.MaxLen, err)
	}
	c = thesisShape
	c.Embed, c.Hidden = 1024, 1024
	b = DefaultBudget
	b.MaxActivationBytes = 1 << 40 // isolate the FLOP bound
	c.MaxLen = int(b.MaxExampleFLOPs / c.FLOPsPerStep())
	if err := c.CheckBudget(b); err != nil {
		t.Errorf("max_len %d at the FLOP bound: %v", c.MaxLen, err)
	}
	c.MaxLen++
	if err := c.CheckBudget(b); err == nil || !strings.Contains(err.Error(), "GFLOP") {
		t.Errorf("max_len %d past the FLOP bound: %v", c.MaxLen, err)
	}
}
