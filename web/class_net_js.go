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

func (JSClassNet) Listen(url string, onStatus func(string), onError func()) func() {
	es := js.Global().Get("EventSource").New(url)
	// The callbacks only hand the data to goroutines: they run on the JS
	// event loop, where blocking on Vugu's lock would deadlock.
	status := js.FuncOf(func(_ js.Value, a []js.Value) any {
		data := a[0].Get("data").String()
		go onStatus(data)
		return nil
	})
	fail := js.FuncOf(func(js.Value, []js.Value) any {
		go onError()
		return nil
	})
	es.Call("addEventListener", "status", status)
	es.Call("addEventListener", "error", fail)
	return func() {
		es.Call("close")
		status.Release()
		fail.Release()
	}
}

// defaultClassNet is the page's ClassNet.
func defaultClassNet() ClassNet { return JSClassNet{} }
