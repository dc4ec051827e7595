//go:build js

package web

import "syscall/js"

// DrawWords sets element id's content to a word list's HTML (built and
// escaped by WordsHTML) unless it already shows version key: a long
// review's spans never pass through Vugu's render buffer. Vugu leaves the
// children of an element it renders empty alone, as it does a chart's.
func (JSBrowser) DrawWords(id, key, html string) {
	el := js.Global().Get("document").Call("getElementById", id)
	if el.IsNull() || el.IsUndefined() {
		return
	}
	if v := el.Get("sentilabWords"); v.Type() == js.TypeString && v.String() == key {
		return
	}
	el.Set("innerHTML", html)
	el.Set("sentilabWords", key)
}
