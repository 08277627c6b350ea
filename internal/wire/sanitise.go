package wire

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on text taken from a response into an error, a log record or the
// CLI's output, so that an error's text stays well under 2 KiB.
const (
	maxMessageRunes = 512  // error_msg
	maxMessageBytes = 1024 // error_msg, however wide its characters
	maxSnippetRunes = 120  // a body that is not JSON
	maxCodeBytes    = 64   // error_code
	maxIDBytes      = 128  // a request id
)

// SanitiseMessage makes text from a response safe to put in an error: valid
// UTF-8, no control or formatting (bidi) characters, white space folded, at
// most 512 runes and 1 KiB.
func SanitiseMessage(s string) string { return sanitise(s, maxMessageRunes, maxMessageBytes) }

// SanitiseCode makes an error code from a response safe: as SanitiseMessage,
// bounded to 64 bytes.
func SanitiseCode(s string) string { return sanitise(s, maxCodeBytes, maxCodeBytes) }

// SanitiseID makes a request id from a response safe: as SanitiseMessage,
// bounded to 128 bytes.
func SanitiseID(s string) string { return sanitise(s, maxIDBytes, maxIDBytes) }

// Snippet describes a body that is not the JSON envelope (an HTML page, plain
// text, nothing): a short sanitised excerpt of plain text, or nothing for
// HTML and binary data, which would not help a reader.
func Snippet(body []byte) string {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] == '<' || !utf8.Valid(t) {
		return ""
	}
	if len(t) > 4*maxSnippetRunes {
		t = t[:4*maxSnippetRunes] // enough for the runes kept; the rest is never looked at
	}
	return sanitise(string(t), maxSnippetRunes, 4*maxSnippetRunes)
}

// Clean reports whether s needs no sanitising (the common case: short ASCII
// text), so callers can skip the copy.
func Clean(s string, maxBytes int) bool {
	if len(s) > maxBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// sanitise keeps at most maxRunes runes and maxBytes bytes of s (then adds
// "…"), drops control and format characters, folds white space to single
// spaces and trims it.
func sanitise(s string, maxRunes, maxBytes int) string {
	if Clean(s, min(maxRunes, maxBytes)) {
		return s
	}
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == maxRunes || b.Len()+utf8.RuneLen(r) > maxBytes {
			b.WriteString("…")
			break
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.Is(unicode.Cf, r) {
			continue // bidi controls, zero-width characters: invisible, and can reorder text
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// StripInvisible drops from s the characters that hide a secret from a
// plain search: format characters (zero-width, bidi controls) and control
// characters other than white space. Sanitising later turns a control
// character into a space, which would split a secret a server echoed with
// one inside; finding secrets must look at what remains once they are gone.
func StripInvisible(s string) string {
	visible := func(r rune) bool {
		return !unicode.Is(unicode.Cf, r) && (!unicode.IsControl(r) || unicode.IsSpace(r))
	}
	if strings.IndexFunc(s, func(r rune) bool { return !visible(r) }) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if visible(r) || (r == utf8.RuneError && size == 1) { // invalid bytes stay as they are
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
