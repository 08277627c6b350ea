// Package redact removes secrets from text: the credentials a call sent
// (a token, a signature, a signed URL's query), which a server may echo
// back in an error message, a job's message or a command's output.
//
// A server may echo a secret in any encoding, so a [Set] looks for every
// form a secret can take in text: as sent, percent-encoded (upper- or
// lower-case escapes, or a mix), query-escaped ("+" for a space),
// JSON-escaped (with or without HTML escaping) and HTML-escaped. For a
// signed URL, [URLSecrets] lists each query value, as sent and decoded,
// and the whole query, so that a query echoed in any order is covered
// value by value. Invisible characters (zero-width, bidi, control
// characters other than white space) a server puts inside a secret do not
// hide it.
//
// The SDK's errors, the service's text in successful answers and the IAM
// token source's errors all go through this package; so should anything
// else that must not show a secret.
package redact

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/koophone-go/koophone/internal/wire"
)

// Mark is what replaces a secret.
const Mark = "[redacted]"

// Set is a call's secrets in every form they can take in text. Build it
// with [New]; a nil *Set holds none. It is safe for concurrent use. The
// forms are computed once, when text first needs them.
type Set struct {
	secrets []string
	once    sync.Once
	forms   []string // normalised, distinct, longest first
}

// New returns the set of secrets; empty strings are left out. It returns
// nil when there is no secret.
func New(secrets ...string) *Set {
	var kept []string
	for _, s := range secrets {
		if s != "" {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return &Set{secrets: kept}
}

// Redact returns text with every form of every secret replaced by [Mark].
// It first drops the invisible characters (wire.StripInvisible), so that a
// secret echoed with one inside is found too; text that echoes no secret
// comes back without them but otherwise unchanged.
func (s *Set) Redact(text string) string {
	if s == nil || text == "" {
		return text
	}
	text = wire.StripInvisible(text)
	norm := normalise(text)
	found := false
	for _, f := range s.allForms() {
		if strings.Contains(norm, f) {
			norm, found = strings.ReplaceAll(norm, f, Mark), true
		}
	}
	if !found {
		return text
	}
	return norm
}

// Echoed is Redact for text kept as the service sent it: text that
// echoes no secret comes back exactly as it was.
func (s *Set) Echoed(text string) string {
	if s == nil || text == "" {
		return text
	}
	norm := normalise(wire.StripInvisible(text))
	for _, f := range s.allForms() {
		if strings.Contains(norm, f) {
			return s.Redact(text)
		}
	}
	return text
}

// allForms computes the forms once.
func (s *Set) allForms() []string {
	s.once.Do(func() {
		seen := make(map[string]bool)
		for _, secret := range s.secrets {
			for _, f := range Forms(secret) {
				if f = normalise(f); !seen[f] {
					seen[f] = true
					s.forms = append(s.forms, f)
				}
			}
		}
		// Longest first: a whole query goes before its values, so that
		// what remains reads "?[redacted]".
		slices.SortStableFunc(s.forms, func(a, b string) int { return len(b) - len(a) })
	})
	return s.forms
}

// Forms returns the ways secret can appear in text: as sent,
// percent-encoded (as a query escapes it, with "+" or "%20" for a space,
// and as a path escapes it), each of them as is, JSON-escaped (with and
// without HTML escaping, and with "/" as "\/") and HTML-escaped (with "&#34;" or "&quot;"). The
// case of escapes does not matter to a [Set]; Forms gives them in upper
// case. Nothing for "".
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	query := url.QueryEscape(secret)
	encoded := []string{secret, query, strings.ReplaceAll(query, "+", "%20"), url.PathEscape(secret)}
	var out []string
	for _, e := range encoded {
		escapedHTML := html.EscapeString(e)
		out = append(out, e, escapedHTML, strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#039;").Replace(escapedHTML))
		for _, inJSON := range []string{jsonEscaped(e, false), jsonEscaped(e, true)} {
			out = append(out, inJSON, strings.ReplaceAll(inJSON, "/", `\/`))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jsonEscaped is s as encoding/json writes it inside a string, with or
// without its HTML escaping of <, > and &.
func jsonEscaped(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// normalise upper-cases the hexadecimal digits of percent escapes ("%2b")
// and JSON escapes ("\u003c"), so that text and forms compare whatever
// case a server chose.
func normalise(s string) string {
	if !strings.ContainsAny(s, `%\`) {
		return s
	}
	b := []byte(s)
	changed := false
	for i := 0; i < len(b); i++ {
		n := 0
		switch {
		case b[i] == '%':
			n = 2
		case b[i] == '\\' && i+1 < len(b) && b[i+1] == 'u':
			i, n = i+1, 4
		}
		if n == 0 || i+n >= len(b) || !allHex(b[i+1:i+1+n]) {
			continue
		}
		for j := i + 1; j <= i+n; j++ {
			if 'a' <= b[j] && b[j] <= 'f' {
				b[j] -= 'a' - 'A'
				changed = true
			}
		}
		i += n
	}
	if !changed {
		return s
	}
	return string(b)
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
