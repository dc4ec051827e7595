//go:build js && wasm

package web

import (
	"errors"
	"strings"
	"syscall/js"
)

// JSBrowser is Browser in the page.
type JSBrowser struct{}

func (JSBrowser) Query() string { return js.Global().Get("location").Get("search").String() }

func (JSBrowser) SetQuery(q string) {
	loc := js.Global().Get("location")
	js.Global().Get("history").Call("replaceState", nil, "", loc.Get("pathname").String()+"?"+q)
}

func (JSBrowser) ReadFile(inputID string) (string, any, int, error) {
	el := js.Global().Get("document").Call("getElementById", inputID)
	if !el.Truthy() {
		return "", nil, 0, errors.New("no file input #" + inputID)
	}
	files := el.Get("files")
	if !files.Truthy() || files.Get("length").Int() == 0 {
		return "", nil, 0, errors.New("no file chosen")
	}
	f := files.Index(0)
	ab, err := awaitJS(f.Call("arrayBuffer"))
	if err != nil {
		return "", nil, 0, err
	}
	return f.Get("name").String(), ab, ab.Get("byteLength").Int(), nil
}

func (JSBrowser) Download(name, mime string, data any) {
	var part any = data
	if s, ok := data.(string); ok {
		part = s
	}
	blob := js.Global().Get("Blob").New([]any{part}, map[string]any{"type": mime})
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := js.Global().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	js.Global().Get("document").Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	}), 10000)
}

func (JSBrowser) Now() float64 { return js.Global().Get("performance").Call("now").Float() }

func awaitJS(p js.Value) (js.Value, error) {
	type out struct {
		v   js.Value
		err error
	}
	ch := make(chan out, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { ch <- out{v: a[0]}; return nil })
	bad := js.FuncOf(func(_ js.Value, a []js.Value) any {
		ch <- out{err: errors.New(js.Global().Call("String", a[0]).String())}
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	p.Call("then", ok, bad)
	o := <-ch
	return o.v, o.err
}

func (JSBrowser) FetchText(url string) (string, error) {
	resp, err := awaitJS(js.Global().Call("fetch", url))
	if err != nil {
		return "", err
	}
	if !resp.Get("ok").Bool() {
		return "", errors.New(url + ": HTTP " + resp.Get("status").String())
	}
	t, err := awaitJS(resp.Call("text"))
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

func (JSBrowser) DrawChart(id, option string) {
	if f := js.Global().Get("sentilabChart"); f.Type() == js.TypeFunction {
		f.Invoke(id, option)
	}
}

func (JSBrowser) SyncValue(id, value string) {
	if f := js.Global().Get("sentilabSyncValue"); f.Type() == js.TypeFunction {
		f.Invoke(id, value)
	}
}

// Crash logs message (with its stack) to the console and shows its first
// line in the banner, with what the user can do.
func (JSBrowser) Crash(message string) {
	js.Global().Get("console").Call("error", message)
	if f := js.Global().Get("sentilabCrash"); f.Type() == js.TypeFunction {
		first, _, _ := strings.Cut(message, "\n")
		f.Invoke(first+". The page goes on; if it misbehaves, reload: your settings are kept in the link.", false)
	}
}
