//go:build js && wasm

package web

import (
	"encoding/json"
	"errors"
	"strconv"
	"syscall/js"
)

// JSClassNet is ClassNet in the page: fetch and EventSource.
type JSClassNet struct{}

func (JSClassNet) Post(url, token string, body any) (int, float64, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, 0, nil, err
	}
	headers := map[string]any{"Content-Type": "application/json"}
	if token != "" {
		headers["Authorization"] = "Bearer " + token
	}
	resp, err := awaitJS(js.Global().Call("fetch", url, map[string]any{"method": "POST", "headers": headers, "body": string(b)}))
	if err != nil {
		return 0, 0, nil, errors.New(url + ": " + err.Error())
	}
	wait, _ := strconv.ParseFloat(resp.Get("headers").Call("get", "Retry-After").String(), 64)
	t, err := awaitJS(resp.Call("text"))
	if err != nil {
		return 0, 0, nil, err
	}
	return resp.Get("status").Int(), wait, []byte(t.String()), nil
}

func (JSClassNet) Upload(url, token string, file any) (int, []byte, error) {
	body, ok := file.(js.Value)
	if !ok {
		return 0, nil, errors.New("upload: not an ArrayBuffer")
	}
	headers := map[string]any{"Content-Type": "application/octet-stream", "Authorization": "Bearer " + token}
	resp, err := awaitJS(js.Global().Call("fetch", url, map[string]any{"method": "POST", "headers": headers, "body": body}))
	if err != nil {
		return 0, nil, errors.New(url + ": " + err.Error())
	}
	t, err := awaitJS(resp.Call("text"))
	if err != nil {
		return 0, nil, err
	}
	return resp.Get("status").Int(), []byte(t.String()), nil
}

func (JSClassNet) Listen(url string, onStatus func(string), onError func()) func() {
	// The callbacks only hand the data to goroutines: they run on the JS
	// event loop, where blocking on Vugu's lock would deadlock.
	status := js.FuncOf(func(_ js.Value, a []js.Value) any {
		data := a[0].Get("data").String()
		go onStatus(data)
		return nil
	})
	var es js.Value
	var fail, reopen js.Func
	stopped, ended := false, false
	// An "end" event closes the stream on purpose (after an hour natively;
	// after every answer on Workers, which poll): the error that follows
	// is EventSource reconnecting, not a lost server.
	end := js.FuncOf(func(js.Value, []js.Value) any {
		ended = true
		return nil
	})
	open := func() {
		es = js.Global().Get("EventSource").New(url)
		es.Call("addEventListener", "status", status)
		es.Call("addEventListener", "end", end)
		es.Call("addEventListener", "error", fail)
	}
	// EventSource reconnects by itself after a dropped stream, but gives up
	// (readyState CLOSED) when a reconnection is refused, as while a server
	// restarts: then the page opens a new one a few seconds later.
	reopen = js.FuncOf(func(js.Value, []js.Value) any {
		if !stopped {
			open()
		}
		return nil
	})
	fail = js.FuncOf(func(js.Value, []js.Value) any {
		if !ended {
			go onError()
		}
		ended = false
		if es.Get("readyState").Int() == 2 && !stopped {
			js.Global().Call("setTimeout", reopen, 3000)
		}
		return nil
	})
	open()
	return func() {
		stopped = true
		es.Call("close")
		// The functions stay: a reopen may still be scheduled, and a
		// released function called by JS panics.
	}
}

// defaultClassNet is the page's ClassNet.
func defaultClassNet() ClassNet { return JSClassNet{} }
