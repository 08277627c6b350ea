package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Names in answers. encoding/json gives a member of an object to the field
// whose name it equals, else to one it equals under Unicode case folding
// ("Status", "STATUS", "ſtatus" with U+017F are all status), and when
// names repeat the last one wins. So {"status":-1,"ſtatus":0} decodes as
// status 0 where every other reader sees -1, and
// {"error_code":"KOOPHONE.API.4001","Error_Code":"0"} as a success. An
// answer that names one member twice cannot be read one way only:
// CheckNames refuses it.
//
// Reading every name with json.Decoder.Token costs more than decoding the
// answer (about an allocation per name), so CheckNames first asks whether
// the answer can name a field twice at all (mayRepeat): for an answer in
// ASCII without escapes that names each of its fields once (one
// instance's), it does not read the names. A list of two or more entries
// names its fields more than once, and is read.

// maxPairwiseNames is how many names an object may have before CheckNames
// compares them through a map rather than each with each.
const maxPairwiseNames = 16

// CheckNames returns why doc, a response body decoded with out as the
// target of its data (nil: none), cannot be read one way only: an object
// in it has two member names that are equal under Unicode case folding
// (the same name twice included) and are the name of a field of the
// envelope or of out's structs, which encoding/json would both give to
// that field. Names the SDK reads no field by (an extension object's) may
// repeat. nil when doc can be read one way only, or when it is not valid
// JSON (decoding reports that).
func CheckNames(doc []byte, out any) error {
	if !mayRepeat(doc, out) {
		return nil
	}
	return checkNames(doc, knownFolds(reflect.TypeOf(out)))
}

// checkNames is CheckNames without mayRepeat: it reads every member name,
// and refuses one repeated whose case folding is in known (nil: any).
func checkNames(doc []byte, known map[string]bool) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var stack []container    // the containers open at this point
	var skip json.RawMessage // where scalar values go, its buffer reused
	for {
		var top *container
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if c := peek(doc, dec.InputOffset()); top != nil && !top.nameNext && c != '{' && c != '[' && c != '}' && c != ']' {
			if dec.Decode(&skip) != nil { // a scalar value, read without a Token
				return nil
			}
			top.nameNext = top.object
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or invalid JSON, which decoding reports
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			object := tok == json.Delim('{')
			stack = append(stack, container{object: object, nameNext: object, known: known})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].nameNext = stack[len(stack)-1].object // the container was a value
			}
		default: // a member name (a top-level scalar otherwise)
			if top != nil {
				if err := top.add(tok.(string)); err != nil {
					return err
				}
				top.nameNext = false
			}
		}
	}
}

// peek returns the first byte of doc at or after off that is not white
// space or a separator (':' or ','): the first byte of the next token, or
// 0 at the end. It only chooses how CheckNames reads the next token;
// encoding/json checks the syntax.
func peek(doc []byte, off int64) byte {
	for ; off < int64(len(doc)); off++ {
		switch c := doc[off]; c {
		case ' ', '\t', '\r', '\n', ':', ',':
		default:
			return c
		}
	}
	return 0
}

// container is the state of an object or array CheckNames is reading.
type container struct {
	object   bool              // an object, not an array
	nameNext bool              // an object's next string is a member name, not a value
	names    []string          // the names so far, up to maxPairwiseNames
	folded   map[string]string // all names by their case folding, once there are more
	known    map[string]bool   // the foldings of the names a repeat of which is refused; nil: all
}

// add records a member name, or returns why it repeats one that is known.
func (o *container) add(name string) error {
	if o.folded == nil {
		for _, n := range o.names {
			if strings.EqualFold(n, name) {
				return o.repeated(n, name)
			}
		}
		if len(o.names) < maxPairwiseNames {
			o.names = append(o.names, name)
			return nil
		}
		o.folded = make(map[string]string, 2*maxPairwiseNames)
		for _, n := range o.names {
			o.folded[fold(n)] = n
		}
	}
	f := fold(name)
	if earlier, dup := o.folded[f]; dup {
		return o.repeated(earlier, name)
	}
	o.folded[f] = name
	return nil
}

// repeated says that name repeats an earlier one, quoting at most 40
// characters of each, when it is a known name; else nil.
func (o *container) repeated(earlier, name string) error {
	if o.known != nil && !o.known[fold(name)] {
		return nil
	}
	if earlier == name {
		return fmt.Errorf("an object names %.40q twice", name)
	}
	return fmt.Errorf("an object names %.40q and %.40q, one member under case folding", earlier, name)
}

// fold returns s with every rune replaced by the smallest rune of its case
// folding orbit, as encoding/json folds names: fold(x) == fold(y) exactly
// when strings.EqualFold(x, y).
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				return r2
			}
			r = r2
		}
	}, s)
}

// mayRepeat reports whether doc may name a member twice in an object that
// encoding/json decodes into a struct (the envelope's, or out's). It is
// false only when that cannot be: doc is ASCII without escapes, so two
// names equal under case folding are equal in ASCII upper case, and no
// field name of those structs, quoted and in upper case, is found twice
// in doc in upper case.
func mayRepeat(doc []byte, out any) bool {
	if bytes.IndexByte(doc, '\\') >= 0 || !ascii(doc) {
		return true
	}
	upper := bytes.ToUpper(doc)
	for _, names := range [2][][]byte{envelopeNames, fieldNames(reflect.TypeOf(out))} {
		for _, n := range names {
			if i := bytes.Index(upper, n); i >= 0 && bytes.Contains(upper[i+len(n):], n) {
				return true
			}
		}
	}
	return false
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// envelopeNames are the field names of the envelope (fields; inData's are
// among them).
var envelopeNames = fieldNames(reflect.TypeOf(fields{}))

// foldsOf caches knownFolds: reflect.Type (nil included) to map[string]bool.
var foldsOf sync.Map

// knownFolds returns the case foldings of the envelope's field names and
// of those fieldNames returns for t.
func knownFolds(t reflect.Type) map[string]bool {
	if known, ok := foldsOf.Load(t); ok {
		return known.(map[string]bool)
	}
	known := make(map[string]bool)
	for _, names := range [2][][]byte{envelopeNames, fieldNames(t)} {
		for _, n := range names {
			known[fold(strings.Trim(string(n), `"`))] = true
		}
	}
	foldsOf.Store(t, known)
	return known
}

// namesOf caches fieldNames: reflect.Type to [][]byte.
var namesOf sync.Map

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// fieldNames returns the JSON names of the fields of t's structs (t's
// own, and those of the structs its fields hold, however nested), quoted
// and in ASCII upper case: the names encoding/json may give a member of an
// object to. A type with its own UnmarshalJSON is not looked into. nil
// for a nil t.
func fieldNames(t reflect.Type) [][]byte {
	if t == nil {
		return nil
	}
	if names, ok := namesOf.Load(t); ok {
		return names.([][]byte)
	}
	set := make(map[string]struct{})
	collectNames(t, set, make(map[reflect.Type]bool))
	names := make([][]byte, 0, len(set))
	for n := range set {
		names = append(names, []byte(n))
	}
	namesOf.Store(t, names)
	return names
}

// collectNames adds to set the names fieldNames returns for t.
func collectNames(t reflect.Type, set map[string]struct{}, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case name == "" && f.Anonymous: // promoted fields
		case name == "":
			set[`"`+strings.ToUpper(f.Name)+`"`] = struct{}{}
		default:
			set[`"`+strings.ToUpper(name)+`"`] = struct{}{}
		}
		collectNames(f.Type, set, seen)
	}
}
