package loop_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// protocolDirs hold sans-IO protocol code, which must take time and
// randomness from its loop.Env so that simulations are reproducible.
var protocolDirs = []string{"../core", "../dht", "../cadet", "../gns", "../hello"}

// driverSuffix marks files that are blocking wrappers or I/O drivers for
// daemons. They may use real time; protocol files may not.
const driverSuffix = "_io.go"

// driverDirs are subpackages of protocol directories that do I/O for
// daemons (a DNS server on real sockets).
var driverDirs = map[string]bool{"dnsbridge": true}

var forbiddenTimeCalls = map[string]bool{
	"Now": true, "Sleep": true, "AfterFunc": true, "NewTimer": true,
	"Tick": true, "NewTicker": true, "After": true, "Since": true, "Until": true,
}

func TestProtocolCodeUsesInjectedTimeAndRandomness(t *testing.T) {
	for _, dir := range protocolDirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && driverDirs[d.Name()] {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") ||
				strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, driverSuffix) {
				return nil
			}
			checkFile(t, path)
			return nil
		})
	}
}

func checkFile(t *testing.T, path string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Errorf("parse %s: %v", path, err)
		return
	}
	timeName := ""
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		switch p {
		case "math/rand", "math/rand/v2":
			if !usesOnlyConstructors(f, importName(imp, p)) {
				t.Errorf("%s imports %s and uses its global functions; draw randomness from loop.Env.Rand", path, p)
			}
		case "time":
			timeName = importName(imp, p)
		}
	}
	if timeName == "" {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == timeName && forbiddenTimeCalls[sel.Sel.Name] {
			t.Errorf("%s: calls time.%s; use loop.Env (Now, After) instead", fset.Position(sel.Pos()), sel.Sel.Name)
		}
		return true
	})
}

func importName(imp *ast.ImportSpec, path string) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	if strings.HasSuffix(path, "/v2") {
		return "rand"
	}
	return filepath.Base(path)
}

// usesOnlyConstructors reports whether every use of the math/rand package
// builds a seeded generator (New, NewPCG, NewChaCha8) rather than calling
// a function on the global source.
func usesOnlyConstructors(f *ast.File, name string) bool {
	allowed := map[string]bool{"New": true, "NewPCG": true, "NewChaCha8": true, "NewSource": true, "Rand": true, "Source": true, "ChaCha8": true, "PCG": true, "NewZipf": true, "Zipf": true}
	ok := true
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, isSel := n.(*ast.SelectorExpr); isSel {
			if id, isID := sel.X.(*ast.Ident); isID && id.Name == name && !allowed[sel.Sel.Name] {
				ok = false
			}
		}
		return true
	})
	return ok
}
