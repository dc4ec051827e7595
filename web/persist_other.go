//go:build !js || !wasm

package web

import (
	"errors"
	"sync/atomic"
)

// Outside the browser there is no IndexedDB: Root.Store must be set (tests
// use a map).
func openStore() (Store, error) { return nil, errors.New("no IndexedDB outside the browser") }

func watchLeave(*atomic.Bool) {}

func reloadFresh() {}

func published(*LabRecord) {}
