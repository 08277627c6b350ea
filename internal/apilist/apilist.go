// Package apilist lists the exported API of a Go package from its source,
// one declaration a line, in the manner of Go's own api/*.txt files, so that
// a test can compare the code with a committed listing and make every
// change to the public API deliberate.
package apilist

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Listing returns the exported API of the package in dir (its non-test
// .go files): sorted lines such as
//
//	pkg koophone, func NewClient(...Option) (*Client, error)
//	pkg koophone, method (*Client) PrepareProgress(context.Context, string, string) (Progress, error)
//	pkg koophone, type APIError struct, Code string
//
// Parameter names are left out: renaming one changes no caller.
func Listing(dir string) (string, error) {
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	l := &lister{fset: fset}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return "", err
		}
		if l.pkg == "" {
			l.pkg = f.Name.Name
		}
		for _, d := range f.Decls {
			l.decl(d)
		}
	}
	if l.pkg == "" {
		return "", fmt.Errorf("apilist: no Go files in %s", dir)
	}
	sort.Strings(l.lines)
	return strings.Join(l.lines, "\n") + "\n", nil
}

type lister struct {
	fset  *token.FileSet
	pkg   string
	lines []string
}

func (l *lister) add(format string, args ...any) {
	l.lines = append(l.lines, "pkg "+l.pkg+", "+fmt.Sprintf(format, args...))
}

func (l *lister) decl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		l.funcDecl(d)
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				l.typeSpec(s)
			case *ast.ValueSpec:
				l.valueSpec(d.Tok, s)
			}
		}
	}
}

func (l *lister) funcDecl(d *ast.FuncDecl) {
	if !d.Name.IsExported() {
		return
	}
	if d.Recv == nil {
		l.add("func %s%s", d.Name.Name, l.signature(d.Type))
		return
	}
	recv := d.Recv.List[0].Type
	base := recv
	if star, ok := base.(*ast.StarExpr); ok {
		base = star.X
	}
	for { // drop type parameters: T[K] is T
		switch x := base.(type) {
		case *ast.IndexExpr:
			base = x.X
			continue
		case *ast.IndexListExpr:
			base = x.X
			continue
		}
		break
	}
	if id, ok := base.(*ast.Ident); !ok || !id.IsExported() {
		return
	}
	l.add("method (%s) %s%s", l.expr(recv), d.Name.Name, l.signature(d.Type))
}

func (l *lister) typeSpec(s *ast.TypeSpec) {
	if !s.Name.IsExported() {
		return
	}
	name := s.Name.Name
	if s.TypeParams != nil {
		name += "[" + l.fields(s.TypeParams, ", ", true) + "]"
	}
	switch t := s.Type.(type) {
	case *ast.StructType:
		l.add("type %s struct", name)
		for _, f := range t.Fields.List {
			typ := l.expr(f.Type)
			if len(f.Names) == 0 {
				l.add("type %s struct, embedded %s", name, typ)
			}
			for _, n := range f.Names {
				if n.IsExported() {
					l.add("type %s struct, %s %s", name, n.Name, typ)
				}
			}
		}
	case *ast.InterfaceType:
		l.add("type %s interface", name)
		for _, m := range t.Methods.List {
			if len(m.Names) == 0 {
				l.add("type %s interface, embedded %s", name, l.expr(m.Type))
				continue
			}
			if ft, ok := m.Type.(*ast.FuncType); ok && m.Names[0].IsExported() {
				l.add("type %s interface, %s%s", name, m.Names[0].Name, l.signature(ft))
			} else if !ok {
				l.add("type %s interface, %s", name, l.expr(m.Type))
			} else {
				l.add("type %s interface, unexported methods", name)
			}
		}
	default:
		if s.Assign.IsValid() {
			l.add("type %s = %s", name, l.expr(s.Type))
		} else {
			l.add("type %s %s", name, l.expr(s.Type))
		}
	}
}

func (l *lister) valueSpec(tok token.Token, s *ast.ValueSpec) {
	for i, n := range s.Names {
		if !n.IsExported() {
			continue
		}
		line := tok.String() + " " + n.Name
		if s.Type != nil {
			line += " " + l.expr(s.Type)
		}
		if tok == token.CONST && i < len(s.Values) {
			if lit, ok := s.Values[i].(*ast.BasicLit); ok {
				line += " = " + lit.Value
			}
		}
		l.add("%s", line)
	}
}

// signature prints a function type without parameter names.
func (l *lister) signature(ft *ast.FuncType) string {
	sig := ""
	if ft.TypeParams != nil {
		sig += "[" + l.fields(ft.TypeParams, ", ", true) + "]"
	}
	sig += "(" + l.fields(ft.Params, ", ", false) + ")"
	if ft.Results == nil || len(ft.Results.List) == 0 {
		return sig
	}
	results := l.fields(ft.Results, ", ", false)
	if len(ft.Results.List) == 1 && len(ft.Results.List[0].Names) <= 1 {
		return sig + " " + results
	}
	return sig + " (" + results + ")"
}

// fields prints a field list's types, once per name; with names (for type
// parameters) it keeps the names too.
func (l *lister) fields(fl *ast.FieldList, sep string, withNames bool) string {
	if fl == nil {
		return ""
	}
	var parts []string
	for _, f := range fl.List {
		typ := l.expr(f.Type)
		if len(f.Names) == 0 {
			parts = append(parts, typ)
		}
		for _, n := range f.Names {
			if withNames {
				parts = append(parts, n.Name+" "+typ)
			} else {
				parts = append(parts, typ)
			}
		}
	}
	return strings.Join(parts, sep)
}

// expr prints an expression (a type) as gofmt would, on one line.
func (l *lister) expr(e ast.Expr) string {
	if ft, ok := e.(*ast.FuncType); ok {
		return "func" + l.signature(ft)
	}
	var b bytes.Buffer
	if err := printer.Fprint(&b, l.fset, e); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
