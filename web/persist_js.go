//go:build js && wasm

package web

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall/js"
)

// idbStore is Store over IndexedDB: one object store, out-of-line keys.
// IndexedDB answers with events, not promises; each call waits for its
// transaction's end, so a put is durable (or its error, such as
// QuotaExceededError, known) when it returns. Never call it on the
// goroutine that runs JS callbacks: it blocks until one arrives.
type idbStore struct{ db js.Value }

const (
	idbName    = "sentilab"
	idbVersion = 1
	idbObjects = "lab"
)

func openStore() (Store, error) {
	idb := js.Global().Get("indexedDB")
	if !idb.Truthy() {
		return nil, errors.New("no IndexedDB in this browser")
	}
	var req js.Value
	if err := catchJS(func() { req = idb.Call("open", idbName, idbVersion) }); err != nil {
		return nil, err
	}
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", idbObjects).Bool() {
			db.Call("createObjectStore", idbObjects)
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade)
	db, err := awaitIDB(req, req)
	req.Set("onupgradeneeded", js.Null())
	if err != nil {
		return nil, err
	}
	// Another tab of a newer page version wants to upgrade: let it.
	db.Set("onversionchange", js.FuncOf(func(js.Value, []js.Value) any { db.Call("close"); return nil }))
	return &idbStore{db: db}, nil
}

// awaitIDB waits for target's success (the result is req's) or its error.
func awaitIDB(target, req js.Value) (js.Value, error) {
	ch := make(chan error, 2)
	ok := js.FuncOf(func(js.Value, []js.Value) any { ch <- nil; return nil })
	bad := js.FuncOf(func(js.Value, []js.Value) any { ch <- domError(req.Get("error")); return nil })
	target.Set("onsuccess", ok)
	target.Set("onerror", bad)
	err := <-ch
	target.Set("onsuccess", js.Null())
	target.Set("onerror", js.Null())
	ok.Release()
	bad.Release()
	if err != nil {
		return js.Undefined(), err
	}
	return req.Get("result"), nil
}

// do runs one request in a transaction and waits for the transaction to
// complete: quota errors arrive as its abort.
func (s *idbStore) do(mode string, f func(objects js.Value) js.Value) (js.Value, error) {
	var tx, req js.Value
	if err := catchJS(func() {
		tx = s.db.Call("transaction", idbObjects, mode)
		req = f(tx.Call("objectStore", idbObjects))
	}); err != nil {
		return js.Undefined(), err
	}
	ch := make(chan error, 3)
	done := js.FuncOf(func(js.Value, []js.Value) any { ch <- nil; return nil })
	fail := js.FuncOf(func(js.Value, []js.Value) any {
		e := tx.Get("error")
		if !e.Truthy() {
			e = req.Get("error")
		}
		ch <- domError(e)
		return nil
	})
	tx.Set("oncomplete", done)
	tx.Set("onerror", fail)
	tx.Set("onabort", fail)
	err := <-ch
	for _, k := range []string{"oncomplete", "onerror", "onabort"} {
		tx.Set(k, js.Null())
	}
	done.Release()
	fail.Release()
	if err != nil {
		return js.Undefined(), err
	}
	return req.Get("result"), nil
}

func (s *idbStore) Get(key string) (any, error) {
	v, err := s.do("readonly", func(o js.Value) js.Value { return o.Call("get", key) })
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading %s: %v", key, err)
	case v.IsUndefined() || v.IsNull():
		return nil, nil
	case v.Type() == js.TypeString:
		return v.String(), nil
	}
	return v, nil
}

func (s *idbStore) Put(key string, value any) error {
	switch value.(type) {
	case string, js.Value:
	default:
		return fmt.Errorf("storing %s: a %T, want a string or an ArrayBuffer", key, value)
	}
	_, err := s.do("readwrite", func(o js.Value) js.Value { return o.Call("put", value, key) })
	return err
}

func (s *idbStore) Delete(key string) error {
	_, err := s.do("readwrite", func(o js.Value) js.Value { return o.Call("delete", key) })
	return err
}

func (s *idbStore) Keys() ([]string, error) {
	v, err := s.do("readonly", func(o js.Value) js.Value { return o.Call("getAllKeys") })
	if err != nil {
		return nil, err
	}
	keys := make([]string, v.Length())
	for i := range keys {
		keys[i] = v.Index(i).String()
	}
	return keys, nil
}

func (s *idbStore) Clear() error {
	_, err := s.do("readwrite", func(o js.Value) js.Value { return o.Call("clear") })
	return err
}

// domError turns a DOMException into an error that keeps its name
// (QuotaExceededError, InvalidStateError, ...), which storeError reads.
func domError(e js.Value) error {
	if !e.Truthy() {
		return errors.New("IndexedDB request failed")
	}
	return fmt.Errorf("%s: %s", e.Get("name").String(), e.Get("message").String())
}

// catchJS turns a JS exception thrown by a call into an error.
func catchJS(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = domError(je.Value)
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	f()
	return nil
}

// watchLeave asks before the page unloads while warn is set (a job runs,
// or work is not saved). Browsers show their own text.
func watchLeave(warn *atomic.Bool) {
	js.Global().Call("addEventListener", "beforeunload", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if warn.Load() {
			args[0].Call("preventDefault")
			args[0].Set("returnValue", "")
		}
		return nil
	}))
}

// reloadFresh loads the page again without its link's settings.
func reloadFresh() {
	loc := js.Global().Get("location")
	loc.Call("replace", loc.Get("pathname"))
}

// published tells the page's scripts (and the browser tests) what was
// saved last: window.sentilabSaved = {saved, models: [names], review:
// its length in characters, data: the dataset's name}.
func published(rec *LabRecord) {
	names := make([]any, len(rec.Models))
	for i, m := range rec.Models {
		names[i] = m.Info.Name
	}
	review, data := 0, ""
	if rec.Review != nil {
		review = len([]rune(*rec.Review))
	}
	if rec.Data != nil {
		data = rec.Data.Name
	}
	js.Global().Set("sentilabSaved", map[string]any{"saved": rec.Saved, "models": names, "review": review, "data": data})
}
