package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// value is one named value of a command's result: the member key: data of
// its JSON object, and a column of its text line. Build it with field,
// shown, jsonOnly or textOnly.
type value struct {
	key            string
	data           any // a string, number, bool, or a slice or map of them
	text           string
	inJSON, inText bool
}

// field is a value shown in both forms, as fmt prints it in text.
func field(key string, data any) value {
	return value{key: key, data: data, text: fmt.Sprint(data), inJSON: true, inText: true}
}

// shown is a value with its own text form.
func shown(key string, data any, text string) value {
	return value{key: key, data: data, text: text, inJSON: true, inText: true}
}

// jsonOnly is a value left out of the text line.
func jsonOnly(key string, data any) value { return value{key: key, data: data, inJSON: true} }

// textOnly is a text column left out of the JSON object.
func textOnly(key, text string) value { return value{key: key, text: text, inText: true} }

// multiline is a value whose line breaks are kept in JSON (each line
// cleaned) and escaped in text, such as a command's output.
func multiline(key, text string) value {
	return value{key: key, data: lines(text), text: text, inJSON: true, inText: true}
}

// lines is text whose line breaks JSON keeps.
type lines string

// output is what a command prints when it ends. With --json it is one
// {"event":"result", "command", "ok", "exit_code", ...} object holding the
// top values and, under list, one object per row. As text it is one line
// of the top values (or, with byKey, one "key<TAB>text" line per value),
// then one line per row: tab-separated, or aligned on a terminal.
type output struct {
	code  int       // the exit code; exitOK unless the command says otherwise
	top   []value   // the result's own values
	list  string    // the JSON key of rows, e.g. "instances"
	rows  [][]value // one object, or line, each
	byKey bool      // text: one "key<TAB>text" line per top value
	// each, for a listing: with --json every row is an object of its own,
	// {"event": each, ...}, before the result; on a terminal the rows get
	// a header.
	each string
	// document is printed as it is in text, instead of the values: only
	// for text the CLI wrote itself, never for a string from the service.
	document string
}

// line is an output of one text line.
func line(values ...value) *output { return &output{top: values} }

// rowsOf is an output of one line per row, listed under key in JSON.
func rowsOf(key string, rows [][]value) *output { return &output{list: key, rows: rows} }

// print writes out to stdout in the form the flags ask for, and returns
// the exit code: out's, or 2 if --jq failed on a command that succeeded.
// Every string is escaped and bounded as clean does, keys included.
func (s *session) print(out *output) int {
	if s.g.asJSON {
		s.printJSON(out)
		if s.jqErr != nil && out.code == exitOK {
			return exitUsage
		}
		return out.code
	}
	s.printText(out)
	return out.code
}

// printJSON writes out as JSON objects, one a line.
func (s *session) printJSON(out *output) {
	for i := 0; out.each != "" && i < len(out.rows); i++ {
		ev := object(out.rows[i])
		ev["event"] = out.each
		s.emit(ev)
	}
	ev := object(out.top)
	ev["event"], ev["command"], ev["ok"], ev["exit_code"] = "result", s.name, out.code == exitOK, out.code
	if out.list != "" && out.each == "" {
		list := make([]map[string]any, len(out.rows))
		for i, row := range out.rows {
			list[i] = object(row)
		}
		ev[out.list] = list
	}
	s.emit(ev)
}

// printText writes out as text: lines of tab-separated values, aligned on
// a terminal.
func (s *session) printText(out *output) {
	w := s.stdout
	if out.document != "" {
		fmt.Fprint(w, out.document)
		return
	}
	if isTerminal(w) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		w = tw
		if out.each != "" && len(out.rows) > 0 {
			writeHeader(w, out.rows[0])
		}
	}
	if out.byKey {
		for _, v := range out.top {
			if v.inText {
				fmt.Fprintf(w, "%s\t%s\n", clean(v.key), clean(v.text))
			}
		}
	} else if hasText(out.top) {
		writeLine(w, out.top)
	}
	for _, row := range out.rows {
		writeLine(w, row)
	}
}

// streamBlock is how many rows a terminal aligns at once when rows are
// printed as they come.
const streamBlock = 100

// rowStream prints a listing's rows as they come: with --json one
// {"event": event, ...} object each, else one text line each (on a
// terminal aligned under a header, streamBlock rows at a time). It holds
// one block at most.
type rowStream struct {
	s     *session
	event string
	tw    *tabwriter.Writer // on a terminal, once a row is written
	n     int
}

// rowStream starts printing the rows of a listing of event objects.
func (s *session) rowStream(event string) *rowStream { return &rowStream{s: s, event: event} }

// write prints one row.
func (r *rowStream) write(row []value) {
	if r.s.g.asJSON {
		ev := object(row)
		ev["event"] = r.event
		r.s.emit(ev)
		return
	}
	w := r.s.stdout
	if isTerminal(w) {
		if r.tw == nil {
			r.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			writeHeader(r.tw, row)
		}
		w = r.tw
	}
	writeLine(w, row)
	if r.n++; r.tw != nil && r.n%streamBlock == 0 {
		r.tw.Flush()
	}
}

// flush prints what a terminal's alignment holds back.
func (r *rowStream) flush() {
	if r.tw != nil {
		r.tw.Flush()
	}
}

// object is the JSON object of values.
func object(values []value) map[string]any {
	obj := make(map[string]any, len(values)+4)
	for _, v := range values {
		if v.inJSON {
			obj[v.key] = v.data
		}
	}
	return obj
}

// hasText reports whether any of values has a text column.
func hasText(values []value) bool {
	for _, v := range values {
		if v.inText {
			return true
		}
	}
	return false
}

// writeLine writes the text of values as one tab-separated line.
func writeLine(w io.Writer, values []value) {
	cols := make([]string, 0, len(values))
	for _, v := range values {
		if v.inText {
			cols = append(cols, clean(v.text))
		}
	}
	fmt.Fprintln(w, strings.Join(cols, "\t"))
}

// writeHeader writes the upper-cased keys of a row's text columns.
func writeHeader(w io.Writer, row []value) {
	cols := make([]string, 0, len(row))
	for _, v := range row {
		if v.inText {
			cols = append(cols, clean(strings.ToUpper(v.key)))
		}
	}
	fmt.Fprintln(w, strings.Join(cols, "\t"))
}

// writeJSON prints v as one line of JSON, with every string in it escaped
// and bounded as clean does.
func writeJSON(w io.Writer, v map[string]any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(cleanData(v)) // maps of plain values always encode; a closed stdout is not worth a panic
}

// cleanData returns v with every string in it cleaned: v is a string, a
// number, a bool, or a slice or map of them (the values a command puts in
// an output). The line breaks of lines are kept.
func cleanData(v any) any {
	switch v := v.(type) {
	case string:
		return clean(v)
	case lines:
		parts := strings.Split(string(v), "\n")
		for i, p := range parts {
			parts[i] = clean(p)
		}
		return strings.Join(parts, "\n")
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cleanData(x)
		}
		return out
	case []string:
		if v == nil {
			return v
		}
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = clean(s)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, s := range v {
			out[clean(k)] = clean(s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[clean(k)] = cleanData(x)
		}
		return out
	case []map[string]any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cleanData(x)
		}
		return out
	}
	return v
}

// maxField is the most bytes of one printed string; longer ones are cut
// and end in "…".
const maxField = 2048

// clean makes a string safe to print on one line of text or JSON, whoever
// supplied it: control characters (tabs and newlines included), format
// characters (the bidi controls U+202A–U+202E and U+2066–U+2069 among
// them) and line separators are escaped as \uXXXX, bytes that are not
// UTF-8 as \xXX, and the result is cut after maxField bytes.
func clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= maxField {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r > 0xFFFF && unsafeRune(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether s is short printable ASCII, which clean keeps.
func isPlain(s string) bool {
	if len(s) > maxField {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeRune reports whether r could break a line, move the cursor or
// reorder what a reader sees.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// resultWriter is standard output, remembering the first write that
// failed: a command whose result was lost must not exit 0.
type resultWriter struct {
	w   io.Writer
	err error
}

func (r *resultWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil && r.err == nil {
		r.err = err
	}
	return n, err
}

// IsTerminal says what the writer it wraps is.
func (r *resultWriter) IsTerminal() bool { return isTerminal(r.w) }

// isTerminal reports whether w is a terminal. Writers that know better
// (tests) say so with an IsTerminal method.
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
