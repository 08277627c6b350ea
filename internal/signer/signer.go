// Package signer signs requests with an access key pair in Huawei Cloud's
// SDK-HMAC-SHA256 scheme, byte for byte as the official SDKs do.
package signer

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Algorithm names the scheme in the Authorization header.
const Algorithm = "SDK-HMAC-SHA256"

// Header names the scheme uses.
const (
	HeaderDate          = "X-Sdk-Date"
	HeaderProjectID     = "X-Project-Id"
	HeaderSecurityToken = "X-Security-Token"
	DateFormat          = "20060102T150405Z"
)

// header is one signed header: its name, lower-cased, at names[lo:hi] of
// the state, and its key in the request's header map ("" for the host).
type header struct {
	lo, hi int
	key    string
}

// state is the scratch space of one signing, reused through statePool so
// that a signing allocates little more than the header values it sets.
type state struct {
	buf     []byte   // the canonical request, then the string to sign, then Authorization
	names   []byte   // the signed header names, lower-cased, one after another
	headers []header // the signed headers, sorted by name
	values  []string // one header's values, for sorting
	sig     [sha256.Size]byte
	key     string    // the secret key mac was made with
	mac     hash.Hash // HMAC-SHA256 under key
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// Sign sets X-Sdk-Date (t in UTC) and Authorization on req, which must not
// carry an Authorization header yet. body is the request body as sent.
// Every header of req is signed, lower-cased, except Content-Type and
// names with an underscore; the host is taken from req.URL. Sign may be
// called concurrently for different requests.
func Sign(req *http.Request, body []byte, accessKey, secretKey string, t time.Time) {
	s := statePool.Get().(*state)
	defer statePool.Put(s)

	values := make([]string, 2) // X-Sdk-Date's and Authorization's, in one allocation
	values[0] = string(appendDate(s.buf[:0], t))
	req.Header[HeaderDate] = values[0:1:1]
	s.collectHeaders(req)
	sts := s.appendStringToSign(s.buf[:0], req, body, values[0])
	sig := s.hmac(secretKey, sts)

	b := append(sts[:0], Algorithm+" Access="...)
	b = append(b, accessKey...)
	b = append(b, ", SignedHeaders="...)
	b = s.appendSignedHeaders(b)
	b = append(b, ", Signature="...)
	b = hex.AppendEncode(b, sig)
	s.buf = b
	values[1] = string(b)
	req.Header["Authorization"] = values[1:2:2]
}

// appendStringToSign appends the algorithm, the date and the hash of the
// canonical request, which it builds in b first: method, URI, query,
// headers, signed header names and the body's hash, one per line.
func (s *state) appendStringToSign(b []byte, req *http.Request, body []byte, date string) []byte {
	start := len(b)
	b = append(b, req.Method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, req.URL.EscapedPath())
	b = append(b, '\n')
	b = appendCanonicalQuery(b, req.URL.RawQuery)
	b = append(b, '\n')
	b = s.appendCanonicalHeaders(b, req)
	b = append(b, '\n')
	b = s.appendSignedHeaders(b)
	b = append(b, '\n')
	sum := sha256.Sum256(body)
	b = hex.AppendEncode(b, sum[:])
	sum = sha256.Sum256(b[start:])

	b = append(b[:start], Algorithm+"\n"...)
	b = append(b, date...)
	b = append(b, '\n')
	return hex.AppendEncode(b, sum[:])
}

// hmac returns the HMAC-SHA256 of msg under key, in s.sig. It reuses the
// state's MAC when it was made with the same key.
func (s *state) hmac(key string, msg []byte) []byte {
	if s.mac == nil || s.key != key {
		s.mac, s.key = hmac.New(sha256.New, []byte(key)), key
	} else {
		s.mac.Reset()
	}
	s.mac.Write(msg)
	return s.mac.Sum(s.sig[:0])
}

// appendDate appends t in UTC as DateFormat: digits, but a T and a Z.
func appendDate(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	b = appendDigits(b, year, 4)
	b = appendDigits(b, int(month), 2)
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = appendDigits(b, minute, 2)
	b = appendDigits(b, second, 2)
	return append(b, 'Z')
}

// appendDigits appends the last n (at most 4) decimal digits of v ≥ 0.
func appendDigits(b []byte, v, n int) []byte {
	b = append(b, "0000"[:n]...)
	for i := len(b) - 1; i >= len(b)-n; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// collectHeaders lists the headers to sign in s.headers, sorted by their
// lower-cased names: host and all of req's, except Content-Type, names
// with an underscore, Host and Authorization.
func (s *state) collectHeaders(req *http.Request) {
	s.names = append(s.names[:0], "host"...)
	s.headers = append(s.headers[:0], header{lo: 0, hi: len("host")})
	for k := range req.Header {
		lo := len(s.names)
		for i := 0; i < len(k); i++ {
			c := k[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			s.names = append(s.names, c)
		}
		lk := s.names[lo:]
		if bytes.HasPrefix(lk, []byte("content-type")) || strings.Contains(k, "_") ||
			string(lk) == "host" || string(lk) == "authorization" {
			s.names = s.names[:lo]
			continue
		}
		s.headers = append(s.headers, header{lo: lo, hi: len(s.names), key: k})
	}
	slices.SortFunc(s.headers, func(a, b header) int {
		return bytes.Compare(s.names[a.lo:a.hi], s.names[b.lo:b.hi])
	})
}

// appendSignedHeaders appends the signed header names joined with ";".
func (s *state) appendSignedHeaders(b []byte) []byte {
	for i, h := range s.headers {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, s.names[h.lo:h.hi]...)
	}
	return b
}

// appendCanonicalHeaders appends "name:value\n" for each signed header,
// with the values of every key of that name sorted and trimmed.
func (s *state) appendCanonicalHeaders(b []byte, req *http.Request) []byte {
	for _, h := range s.headers {
		name := s.names[h.lo:h.hi]
		values := s.values[:0]
		if h.key == "" {
			values = append(values, req.URL.Host)
		}
		// Keys that differ only in case share a name: each of them lists
		// the values of all, as the official signer does.
		for _, o := range s.headers {
			if o.key != "" && bytes.Equal(s.names[o.lo:o.hi], name) {
				values = append(values, req.Header[o.key]...)
			}
		}
		slices.Sort(values)
		for _, v := range values {
			b = append(b, name...)
			b = append(b, ':')
			b = append(b, strings.TrimSpace(v)...)
			b = append(b, '\n')
		}
		s.values = values[:0]
	}
	return b
}

// appendCanonicalURI appends the path with each segment escaped, ending
// with "/". It takes the escaped path, so that an escaped "/" inside a
// segment stays in it.
func appendCanonicalURI(b []byte, escapedPath string) []byte {
	for i, rest := 0, escapedPath; ; i++ {
		segment, after, more := strings.Cut(rest, "/")
		if raw, err := url.PathUnescape(segment); err == nil {
			segment = raw
		}
		if i > 0 {
			b = append(b, '/')
		}
		b = appendEscaped(b, segment)
		if !more {
			break
		}
		rest = after
	}
	if len(b) == 0 || b[len(b)-1] != '/' {
		b = append(b, '/')
	}
	return b
}

// appendCanonicalQuery appends the query's parameters sorted by key, and
// by value within a key, each escaped, joined with "&".
func appendCanonicalQuery(b []byte, rawQuery string) []byte {
	if rawQuery == "" {
		return b
	}
	q, _ := url.ParseQuery(rawQuery) // as req.URL.Query(): what parses is kept
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	first := true
	for _, k := range keys {
		values := q[k]
		slices.Sort(values)
		for _, v := range values {
			if !first {
				b = append(b, '&')
			}
			first = false
			b = appendEscaped(b, k)
			b = append(b, '=')
			b = appendEscaped(b, v)
		}
	}
	return b
}

// appendEscaped appends s with every byte percent-encoded, in upper-case
// hex, except A-Z a-z 0-9 - _ . ~.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
	}
	return b
}
