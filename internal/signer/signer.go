// Package signer signs requests with an access key pair in Huawei Cloud's
// SDK-HMAC-SHA256 scheme, byte for byte as the official SDKs do.
package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
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

// Sign sets X-Sdk-Date (t in UTC) and Authorization on req, which must not
// carry an Authorization header yet. body is the request body as sent.
// Every header of req is signed, lower-cased, except Content-Type and
// names with an underscore; the host is taken from req.URL.
func Sign(req *http.Request, body []byte, accessKey, secretKey string, t time.Time) {
	req.Header.Set(HeaderDate, t.UTC().Format(DateFormat))
	signed := signedHeaders(req.Header)
	sts := stringToSign(canonicalRequest(req, body, signed), t)
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(sts))
	req.Header.Set("Authorization", Algorithm+" Access="+accessKey+
		", SignedHeaders="+strings.Join(signed, ";")+
		", Signature="+hex.EncodeToString(mac.Sum(nil)))
}

func stringToSign(canonical string, t time.Time) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + t.UTC().Format(DateFormat) + "\n" + hex.EncodeToString(sum[:])
}

// canonicalRequest joins method, URI, query, headers, signed header names
// and the body's hash with newlines.
func canonicalRequest(req *http.Request, body []byte, signed []string) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{
		req.Method,
		canonicalURI(req.URL.EscapedPath()),
		canonicalQuery(req.URL.Query()),
		canonicalHeaders(req, signed),
		strings.Join(signed, ";"),
		hex.EncodeToString(sum[:]),
	}, "\n")
}

// canonicalURI escapes each segment of the path and ends it with "/". It
// takes the escaped path, so that an escaped "/" inside a segment stays in it.
func canonicalURI(escapedPath string) string {
	segments := strings.Split(escapedPath, "/")
	for i, s := range segments {
		if raw, err := url.PathUnescape(s); err == nil {
			s = raw
		}
		segments[i] = escape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery sorts keys, and values within a key, and escapes both.
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		values := append([]string(nil), q[k]...)
		sort.Strings(values)
		for _, v := range values {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// canonicalHeaders writes "name:value" for each signed header, values
// trimmed and sorted, one per line, ending with a newline.
func canonicalHeaders(req *http.Request, signed []string) string {
	byName := make(map[string][]string, len(req.Header))
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		byName[lk] = append(byName[lk], vs...)
	}
	var b strings.Builder
	for _, name := range signed {
		values := byName[name]
		if name == "host" {
			values = []string{req.URL.Host}
		}
		values = append([]string(nil), values...)
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// signedHeaders lists the header names to sign: all of them, lower-cased
// and sorted, with host, except Content-Type and names with an underscore.
func signedHeaders(h http.Header) []string {
	names := []string{"host"}
	for k := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "content-type") || strings.Contains(k, "_") || lk == "host" || lk == "authorization" {
			continue
		}
		names = append(names, lk)
	}
	sort.Strings(names)
	return names
}

// escape percent-encodes every byte except A-Z a-z 0-9 - _ . ~, in upper-case hex.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&15])
	}
	return b.String()
}
