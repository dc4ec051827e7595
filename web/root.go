package web

import (
	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// Root is the page: the state the steps share (Lab) and one component per
// step, each with its own state. It owns the steps' components, so their
// state lives as long as the page, whichever step is shown.
type Root struct {
	Lab

	DataStep     DataStep
	TrainStep    TrainStep
	CompressStep CompressStep
	CompareStep  CompareStep
	TryStep      TryStep
	ExportStep   ExportStep
	ClassStep    ClassStep

	sent map[string]string // chart options as last handed to the page
}

// NewRoot is the page on engine eng in browser br.
func NewRoot(eng Engine, br Browser, env vugu.EventEnv) *Root {
	c := &Root{Lab: Lab{Eng: eng, Br: br, Env: env}}
	c.wire()
	return c
}

// wire hands each step the shared state.
func (c *Root) wire() {
	l := &c.Lab
	c.DataStep.Lab, c.TrainStep.Lab, c.CompressStep.Lab = l, l, l
	c.CompareStep.Lab, c.TryStep.Lab, c.ExportStep.Lab = l, l, l
	c.CompressStep.Train = &c.TrainStep
	c.ClassStep.Lab, c.ClassStep.Compress = l, &c.CompressStep
	c.lesson = c.currentLesson
	if c.Charts == nil {
		c.Charts = map[string]string{}
	}
}

// AfterRender hands the page what must not pass through Vugu's fixed 16 KB
// render buffer (a longer string panics it and ends the program): chart
// options and the review text. The render loop (wasm/ui) calls it after
// each render, so a chart's element exists when its option arrives.
func (c *Root) AfterRender() {
	defer c.guard()
	if c.sent == nil {
		c.sent = map[string]string{}
	}
	for k, v := range c.Charts {
		if c.sent[k] != v {
			c.Br.DrawChart("chart-"+k, v)
			c.sent[k] = v
		}
	}
	for k := range c.sent {
		if _, ok := c.Charts[k]; !ok {
			c.Br.DrawChart("chart-"+k, "")
			delete(c.sent, k)
		}
	}
	if c.S.Step == "try" {
		c.Br.SyncValue("review", c.TryStep.Review)
		c.TryStep.Read.afterRender(c.Br)
	}
	// Every change a handler made (a compression input, the review) is in
	// the link after its render.
	if c.linkRead {
		c.saveURL()
	}
}

// currentLesson is what the steps hold that a link carries (state.go).
func (c *Root) currentLesson() Lesson {
	cc := &c.CompressStep
	return Lesson{Rows: c.DataStep.Limit, Review: c.TryStep.Review,
		Compress: CompressSettings{Source: cc.CSource, Initial: cc.CInitial, Final: cc.CFinal, Epochs: cc.CEpochs,
			Alpha: cc.CAlpha, T: cc.CT, Embed: cc.CEmbed, Hidden: cc.CHidden, GridAlphas: cc.GridAlphas, GridTs: cc.GridTs}}
}

// setLesson hands the steps a link's lesson.
func (c *Root) setLesson(ls Lesson) {
	c.DataStep.Limit, c.TryStep.Review = ls.Rows, ls.Review
	cc, cs := &c.CompressStep, ls.Compress
	cc.CSource, cc.CInitial, cc.CFinal, cc.CEpochs = cs.Source, cs.Initial, cs.Final, cs.Epochs
	cc.CAlpha, cc.CT, cc.CEmbed, cc.CHidden = cs.Alpha, cs.T, cs.Embed, cs.Hidden
	cc.GridAlphas, cc.GridTs = cs.GridAlphas, cs.GridTs
	cc.sched()
}

// DefaultWorkers is the Web Workers a run uses unless the link says
// otherwise: 2 on every machine, so a seed gives the same model wherever
// it runs (the count picks the chunks' dropout seeds and the sums'
// grouping), and 2 was measured fastest on a 2-core machine, where the old
// default of cores − 1 ran one (BENCHMARKS.md, training in the browser).
const DefaultWorkers = 2

// Init asks the engine for its presets, then applies the URL's state.
// It starts the page once: wasm/ui calls it before the first render, and
// Vugu again in that render's build (twice, it asked for the presets and
// decoded the server's manifest twice while the first screen waited).
func (c *Root) Init() {
	if c.inited {
		return
	}
	c.inited = true
	c.wire()
	c.link = c.Br.Query()
	c.Charts = map[string]string{}
	c.S = Settings{Step: "data", Preset: "classroom", Seed: 42, Workers: DefaultWorkers}
	c.Status = "Starting the engine…"
	c.CompressStep.reset()
	c.TryStep.Review = defaultReview
	c.goSafe(func() {
		var p protocol.PresetsResult
		_, err := ask(c.Eng, protocol.TypePresets, nil, nil, &p, nil, nil)
		// The server's lists after the engine's answer is drawn: decoding
		// the 60 KB manifest holds the page's only thread, and "Ready"
		// need not wait for it. (Deferred calls run last first: these
		// start after the unlock below.)
		defer c.goSafe(c.loadDatasets) // the second dataset's offer (ood.go)
		defer c.goSafe(c.CompareStep.loadManifest)
		c.Env.Lock()
		defer c.Env.UnlockRender()
		if err != nil {
			c.Err = "The engine did not start: " + err.Error()
			c.Status = ""
			return
		}
		c.Presets, c.Relaxed = p.Presets, p.Relaxed
		want := Settings{Preset: "classroom"}
		want.ParseQuery(c.link)
		c.applyPreset(want.Preset)
		ls := c.currentLesson()
		c.BadURL = ParseLesson(c.link, &c.S, &ls)
		c.setLesson(ls)
		if c.ClassStep.takeLink(c.link) { // a class's join link
			c.S.Step = "class"
			c.ClassStep.Opened()
		}
		c.linkRead = true
		c.Status = "Ready. Load a dataset to begin."
		if p.Kernel == "portable" {
			c.Status = "Ready, without WebAssembly SIMD in this browser: training and scoring run several times slower. Load a dataset to begin."
		}
		c.saveURL()
		c.goSafe(c.restoreLab)
	})
}

// ---- navigation

func (c *Root) Steps() []Step { return Steps }

// Current is aria-current for a step tab (nil: attribute absent).
func (c *Root) Current(id string) any {
	if c.S.Step == id {
		return "step"
	}
	return nil
}

func (c *Root) Go(step string) {
	defer c.guard()
	c.S.Step = step
	c.saveURL()
	switch step {
	case "compare", "export", "try":
		c.refreshVariants()
	case "compress":
		c.refreshVariants()
		c.CompressStep.sched()
	case "class":
		c.ClassStep.Opened()
	}
}

// Step is the component of the step shown.
func (c *Root) Step() vugu.Builder {
	switch c.S.Step {
	case "train":
		return &c.TrainStep
	case "compress":
		return &c.CompressStep
	case "compare":
		return &c.CompareStep
	case "try":
		return &c.TryStep
	case "export":
		return &c.ExportStep
	case "class":
		return &c.ClassStep
	}
	return &c.DataStep
}

// ---- the engine's models, which every step after Train shows

// refreshVariants updates the list of the engine's models in the
// background (a step opened).
func (l *Lab) refreshVariants() { l.goSafe(l.listVariants) }

// listVariants updates the list of the engine's models and returns when it
// is shown. A job that adds a model calls it before it ends, so the page is
// not idle (Score enabled) while it still lists the models of before: a
// Score right after loading a second pre-trained model scored only the first.
func (l *Lab) listVariants() {
	var v protocol.VariantsResult
	if _, err := ask(l.Eng, protocol.TypeVariants, nil, nil, &v, nil, nil); err != nil {
		l.update(func() { l.Err = Clip("Listing the models: "+err.Error(), 300) })
		return
	}
	vs := make([]VariantInfo, 0, len(v.Variants))
	for _, x := range v.Variants {
		if x != nil {
			vs = append(vs, *x)
		}
	}
	l.update(func() {
		l.Variants = l.withSavedInfo(vs)
		l.Charts["scatter"] = scatterChart(l.Pretrained, l.Variants)
	})
}
