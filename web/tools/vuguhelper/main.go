// Command vuguhelper prints the JavaScript helper that Vugu's DOM renderer
// would otherwise install with window.eval (domrender.jsHelperScript). The
// lab's Content-Security-Policy forbids eval, so build.sh writes it to
// assets/vugu-helper.js, index.html loads it as a script, and assets/main.js
// answers Vugu's one eval call with a no-op (the helper is already there).
//
// Usage: go run ./web/tools/vuguhelper > assets/vugu-helper.js
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vuguhelper:", err)
		os.Exit(1)
	}
}

func run() error {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/vugu/vugu").Output()
	if err != nil {
		return fmt.Errorf("go list vugu: %v", err)
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "domrender", "renderer-js-script.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return err
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range g.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "jsHelperScript" || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok {
				return fmt.Errorf("%s: jsHelperScript is not a string literal", file)
			}
			js, err := strconv.Unquote(lit.Value)
			if err != nil {
				return err
			}
			fmt.Printf("// Vugu v0.4.0 domrender helper (MIT licence), extracted from %s by web/tools/vuguhelper.\n", filepath.Base(file))
			fmt.Println(js)
			return nil
		}
	}
	return fmt.Errorf("%s: no jsHelperScript constant", file)
}
