package redact

import (
	"net/url"
	"strings"
)

// minURLPart is the length under which a part of a URL is not taken for a
// secret: shorter parts would redact ordinary words.
const minURLPart = 6

// URLSecrets returns the parts of a URL that may be credentials, for a
// [Set]: its user information (and its password, decoded), its query as
// sent and re-encoded in key order, each query value as sent and decoded,
// and its fragment. A signed OBS URL carries its signature in the query.
// A URL that does not parse is a secret as a whole.
func URLSecrets(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil {
		return []string{raw}
	}
	var out []string
	add := func(s string) {
		if len(s) >= minURLPart {
			out = append(out, s)
		}
	}
	if u.User != nil {
		add(u.User.String())
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	add(u.RawQuery)
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if _, value, ok := strings.Cut(pair, "="); ok {
			add(value) // as sent, escapes and all
		}
	}
	values := u.Query()
	add(values.Encode())
	for _, vs := range values {
		for _, v := range vs {
			add(v)
		}
	}
	add(u.Fragment)
	add(u.RawFragment)
	return out
}

// URL returns a URL fit to show: its scheme, host and path. When there was
// more (user information, a query, a fragment), it drops it and adds
// " (query redacted)". A URL that does not parse is "redacted".
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "redacted"
	}
	if u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" {
		return s
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String() + " (query redacted)"
}

// Prefix shows the first four bytes of an identifier that is not secret
// but is not worth printing whole either (an access key), then "…".
func Prefix(s string) string {
	if len(s) <= 4 {
		return "…"
	}
	return s[:4] + "…"
}
