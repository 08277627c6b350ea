package wire

import (
	"encoding/json"
	"reflect"
	"unicode/utf8"
)

// decodeTopLevel is Decode's fast path for the answers almost every call
// gets: a TopLevel envelope whose keys are plain ASCII, with each envelope
// member at most once, error_msg and request_id plain strings (or null),
// and a data member that decodes into out without error. It walks the
// envelope itself and hands only data to encoding/json, or to out's own
// DecodeFast (FastDecoder). For any other body it reports false, having
// decided nothing, and Decode takes its general path; on the bodies it
// takes, both paths give the same Answer and the same out
// (FuzzDecodeFastPathAgrees checks it).
//
// b is trimmed and starts with '{'. out, if not nil, is zeroed here.
func decodeTopLevel(b []byte, out any) (Answer, bool) {
	var a Answer
	var data []byte
	if !walkObject(b, envelopeMembers, func(m int, v []byte) bool { return a.set(m, v, &data) }) {
		return Answer{}, false
	}
	if out == nil {
		a.HasData = data != nil && string(data) != "null"
		return a, true
	}
	target := reflect.ValueOf(out).Elem()
	target.SetZero() // a fresh value for every attempt
	if data != nil && string(data) != "null" {
		if f, ok := out.(FastDecoder); !ok || !f.DecodeFast(data) {
			if ok {
				target.SetZero() // nothing of a DecodeFast that gave up is left
			}
			if json.Unmarshal(data, out) != nil {
				return Answer{}, false // the general path says what is wrong, and where
			}
		}
		a.HasData = !target.IsZero()
	}
	return a, true
}

// FastDecoder is implemented by the data of the operations called most
// (ShowProgress, which every wait polls). DecodeFast decodes b, a valid
// JSON value, into the zero value it is called on exactly as
// encoding/json would, or reports false, having perhaps decoded part of
// it, for anything but the plain object the service sends.
type FastDecoder interface {
	DecodeFast(b []byte) bool
}

// The envelope's members, as decodeTopLevel tells them apart.
const (
	memberCode = iota
	memberMessage
	memberRequestID
	memberData
)

var envelopeMembers = []string{"error_code", "error_msg", "request_id", "data"}

// walkObject walks b, which must be one JSON object and nothing else, and
// calls set with each member whose key is one of names (ignoring ASCII
// case, as encoding/json matches keys to fields) and its value. It reports
// false when b is not such an object or not valid JSON, a key has escapes
// or other than ASCII, one of names comes twice, or set reports false.
func walkObject(b []byte, names []string, set func(member int, v []byte) bool) bool {
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	var seen uint64 // one bit per name
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == '}' {
		return i+1 == len(b)
	}
	for {
		end, escaped, ascii := scanString(b, i)
		if end < 0 || escaped || !ascii {
			return false
		}
		m := memberOf(b[i+1:end-1], names)
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend < 0 {
			return false
		}
		if m >= 0 {
			if seen&(1<<m) != 0 || !set(m, b[i:vend]) {
				return false
			}
			seen |= 1 << m
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		return i < len(b) && b[i] == '}' && i+1 == len(b)
	}
}

// memberOf returns the index in names of key, ignoring ASCII case, or -1.
func memberOf(key []byte, names []string) int {
	for m, name := range names {
		if equalFoldASCII(key, name) {
			return m
		}
	}
	return -1
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// set takes the value v of envelope member m into a (data into *data). It
// reports false where only the general path decodes v as encoding/json
// does: a code that is not a string or number, a message or request id
// that is not a plain string or null.
func (a *Answer) set(m int, v []byte, data *[]byte) bool {
	switch m {
	case memberCode:
		return a.Code.UnmarshalJSON(v) == nil
	case memberMessage:
		return plainString(v, &a.Message)
	case memberRequestID:
		return plainString(v, &a.RequestID)
	}
	*data = v
	return true
}

// plainString sets *s to v, a valid JSON value, when it is a string with
// no escapes in valid UTF-8; leaves *s alone for null; and reports false
// otherwise.
func plainString(v []byte, s *string) bool {
	if string(v) == "null" {
		return true
	}
	text, ok := unescaped(v)
	if ok {
		*s = text
	}
	return ok
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString checks the JSON string starting at b[i] and returns the index
// after its closing quote (-1 when it is not a valid string), whether it
// has escapes, and whether it is all ASCII.
func scanString(b []byte, i int) (end int, escaped, ascii bool) {
	if i >= len(b) || b[i] != '"' {
		return -1, false, false
	}
	ascii = true
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, ascii
		case c < ' ':
			return -1, false, false
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '\\':
			escaped = true
			i++
			if i >= len(b) {
				return -1, false, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return -1, false, false
				}
				i += 4
			default:
				return -1, false, false
			}
		}
	}
	return -1, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// maxSkipDepth bounds the nesting skipValue follows; deeper values are
// left to the general path.
const maxSkipDepth = 32

// skipValue checks the JSON value starting at b[i] and returns the index
// after it, or -1 when it is not valid JSON (or nested deeper than
// maxSkipDepth). It never accepts what encoding/json refuses.
func skipValue(b []byte, i int) int {
	s := skipper{b: b}
	for {
		var whole bool
		if i, whole = s.begin(i); i < 0 {
			return -1
		}
		if !whole {
			continue // at the first element of an array or object
		}
		if i = s.end(i); i < 0 || s.depth == 0 {
			return i
		}
	}
}

// skipper walks one JSON value, keeping the arrays and objects it is in.
type skipper struct {
	b     []byte
	open  [maxSkipDepth]byte // the closing bracket of each open array or object
	depth int
}

// begin reads the value starting at b[i]. For a whole value (a scalar, or
// an empty array or object) it returns the index after it and true; for
// the start of an array or object, the index of its first element and
// false; -1 when the value is not valid.
func (s *skipper) begin(i int) (int, bool) {
	b := s.b
	if i >= len(b) {
		return -1, false
	}
	switch c := b[i]; {
	case c == '{' || c == '[':
		if s.depth == maxSkipDepth {
			return -1, false
		}
		s.open[s.depth] = c + 2 // '{'+2 is '}', '['+2 is ']'
		s.depth++
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == s.open[s.depth-1] {
			s.depth--
			return i + 1, true
		}
		if c == '{' {
			i = skipKey(b, i)
		}
		return i, false
	case c == '"':
		i, _, _ = scanString(b, i)
	case c == '-' || isDigit(c):
		i = skipNumber(b, i)
	default:
		i = skipLiteral(b, i)
	}
	return i, true
}

// end goes on after a whole value that ends at i: it closes the arrays and
// objects that end there and returns the index of the next element, the
// index after the outermost value once none is open, or -1.
func (s *skipper) end(i int) int {
	b := s.b
	for s.depth > 0 {
		i = skipSpace(b, i)
		if i >= len(b) {
			return -1
		}
		if b[i] == s.open[s.depth-1] {
			s.depth--
			i++
			continue
		}
		if b[i] != ',' {
			return -1
		}
		i = skipSpace(b, i+1)
		if s.open[s.depth-1] == '}' {
			return skipKey(b, i)
		}
		return i
	}
	return i
}

// skipKey checks an object's key and its colon at b[i] and returns where
// its value starts, or -1.
func skipKey(b []byte, i int) int {
	end, _, _ := scanString(b, i)
	if end < 0 {
		return -1
	}
	i = skipSpace(b, end)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// skipNumber checks the JSON number at b[i] and returns the index after
// it, or -1.
func skipNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i+1 >= len(b) || !isDigit(b[i+1]) {
			return -1
		}
		i = skipDigits(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return -1
		}
		i = skipDigits(b, i)
	}
	return i
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// skipLiteral checks true, false or null at b[i] and returns the index
// after it, or -1.
func skipLiteral(b []byte, i int) int {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
			return i + len(lit)
		}
	}
	return -1
}
