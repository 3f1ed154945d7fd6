// Package archtest enforces the package layout of docs/architecture.md: the
// dependency direction between the module's packages, the leaves' imports
// and a doc.go in every package.
package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/depinsim/depinsim"

// allowed lists, per top-level package of the module, the module packages
// it may import (docs/architecture.md, "Packages and what they own", with simtime as
// the shared leaf every package may use).
//
// scenarios imports assertion to validate the [[assert]] entries of a
// scenario file (assertion.Compile) when it reads one; assertion itself
// reads only the record types of sim.
var allowed = map[string][]string{
	"cmd":         {"sensitivity", "calibrate", "sweep", "runner", "scenarios", "sim", "reports", "assertion", "simtime"},
	"sensitivity": {"analysis", "sweep", "runner", "scenarios", "sim", "reports", "assertion", "simtime"},
	"calibrate":   {"analysis", "runner", "scenarios", "sim", "reports", "assertion", "simtime"},
	"sweep":       {"runner", "scenarios", "sim", "reports", "simtime"},
	"runner":      {"scenarios", "sim", "reports", "assertion", "simtime"},
	"scenarios":   {"sim", "agents", "market", "tokenomics", "assertion", "simtime"},
	"sim":         {"agents", "market", "tokenomics", "simtime"},
	"agents":      {"market", "tokenomics", "simtime"},
	"reports":     {"sim", "simtime"},
	"assertion":   {"sim", "simtime"},
	"market":      {"simtime"},
	"tokenomics":  {"simtime"},
	"simtime":     {},
	"analysis":    {},
	"bench":       {},
	"internal":    {"scenarios", "sim", "agents", "market", "tokenomics", "simtime", "reports", "assertion"},
}

// leaves may depend (directly or not) on the standard library and on these
// third-party module prefixes only.
var leaves = map[string][]string{
	"market":     {"gonum.org/"},
	"tokenomics": {"gonum.org/"},
	"simtime":    {"gonum.org/"},
}

type pkg struct {
	ImportPath string
	Dir        string
	Name       string
	Standard   bool
	GoFiles    []string
	Imports    []string
	Deps       []string
	Module     *struct{ Path string }
}

// listPackages returns every package of the module and their
// dependencies, listed once for all the tests of this package (listed
// is read only).
func listPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	pkgs, err := listed()
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// listed runs go list -deps -json on the module, once. It lists the
// packages without the CLI's profile (-pgo=off): with it, go list also
// lists the variants of cmd/depinsim's dependencies built with the
// profile, as "path [main package]", the same packages with the same
// imports.
var listed = sync.OnceValues(func() (map[string]*pkg, error) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %v", err)
	}
	cmd := exec.Command("go", "list", "-pgo=off", "-deps", "-json", "./...")
	cmd.Dir = strings.TrimSpace(string(root))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -pgo=off -deps -json ./...: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	return pkgs, nil
})

// top returns the top-level directory of a module package ("sim" for
// .../sim, "cmd" for .../cmd/depinsim) and whether path is in the module.
func top(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return "", false
	}
	first, _, _ := strings.Cut(rest, "/")
	return first, true
}

func ownPackages(pkgs map[string]*pkg) []*pkg {
	var own []*pkg
	for _, p := range pkgs {
		if _, ok := top(p.ImportPath); ok {
			own = append(own, p)
		}
	}
	sort.Slice(own, func(i, j int) bool { return own[i].ImportPath < own[j].ImportPath })
	return own
}

// TestDependencyDirection checks every import between the module's
// packages against the allowed table.
func TestDependencyDirection(t *testing.T) {
	pkgs := listPackages(t)
	own := ownPackages(pkgs)
	if len(own) < 8 {
		t.Fatalf("found only %d module packages; is the module root right?", len(own))
	}
	for _, p := range own {
		from, _ := top(p.ImportPath)
		ok, known := allowed[from]
		if !known {
			t.Errorf("%s: top-level package %q is not in the dependency table of docs/architecture.md (add it to allowed)", p.ImportPath, from)
			continue
		}
		for _, imp := range p.Imports {
			to, internal := top(imp)
			if !internal || to == from {
				continue
			}
			if !contains(ok, to) {
				t.Errorf("wrong import: %s imports %s, but %s may import only %v of the module", p.ImportPath, imp, from, ok)
			}
		}
	}
}

// TestLeavesImportOnlyStdAndGonum checks that market, tokenomics and
// simtime depend, directly or not, only on the standard library and gonum.
func TestLeavesImportOnlyStdAndGonum(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range ownPackages(pkgs) {
		from, _ := top(p.ImportPath)
		prefixes, leaf := leaves[from]
		if !leaf {
			continue
		}
		for _, dep := range p.Deps {
			d := pkgs[dep]
			if d == nil {
				t.Errorf("%s: dependency %s not listed", p.ImportPath, dep)
				continue
			}
			if d.Standard || hasPrefix(dep, prefixes) {
				continue
			}
			if name, internal := top(dep); internal {
				leaf, _ := top(p.ImportPath)
				if !slices.Contains(allowed[leaf], name) {
					t.Errorf("wrong import: leaf %s depends on module package %s", p.ImportPath, dep)
				}
				continue
			}
			t.Errorf("wrong import: leaf %s depends on %s; leaves may use the standard library and %v only (%s)",
				p.ImportPath, dep, prefixes, via(pkgs, p, dep))
		}
	}
}

// via names the direct import of p through which p depends on dep.
func via(pkgs map[string]*pkg, p *pkg, dep string) string {
	for _, imp := range p.Imports {
		if imp == dep {
			return "imported directly"
		}
		if d := pkgs[imp]; d != nil && contains(d.Deps, dep) {
			return "through " + imp
		}
	}
	return "indirectly"
}

// TestEveryPackageHasDocGo checks that every package of the module with Go
// files has a doc.go carrying the package comment.
func TestEveryPackageHasDocGo(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range ownPackages(pkgs) {
		if len(p.GoFiles) == 0 {
			continue // test-only packages (like this one) have no package docs to show
		}
		if !contains(p.GoFiles, "doc.go") {
			t.Errorf("%s: no doc.go (every package has a doc.go overview, docs/architecture.md rule 8)", p.ImportPath)
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, "doc.go"), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", p.ImportPath, err)
			continue
		}
		if f.Doc == nil || strings.TrimSpace(f.Doc.Text()) == "" {
			t.Errorf("%s: doc.go has no package comment", p.ImportPath)
		}
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestAssertionIsPure checks that assertion imports only the standard
// library, gonum and the module's sim and simtime (its module imports
// are in allowed; this adds the third-party ones).
func TestAssertionIsPure(t *testing.T) {
	pkgs := listPackages(t)
	p := pkgs[module+"/assertion"]
	if p == nil {
		t.Fatal("package assertion not found")
	}
	for _, imp := range p.Imports {
		if d := pkgs[imp]; d != nil && d.Standard {
			continue
		}
		if _, internal := top(imp); internal || strings.HasPrefix(imp, "gonum.org/") {
			continue
		}
		t.Errorf("wrong import: assertion imports %s; it may use the standard library, gonum, sim and simtime only", imp)
	}
}
