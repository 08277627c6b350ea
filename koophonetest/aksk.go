package koophonetest

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/koophone-go/koophone/internal/signer"
)

// maxClockSkew is how far X-Sdk-Date may be from the server's time.
const maxClockSkew = 15 * time.Minute

// keyPair is an access key's secret, project and, for temporary
// credentials, security token ("" for a permanent key).
type keyPair struct {
	secret, project, securityToken string
}

// WithAKSK makes the server also accept requests signed in the
// SDK-HMAC-SHA256 scheme with the access key pair accessKey/secretKey for
// project projectID, as koophone.WithAKSK signs them: give the client
// made by [Server.Client] koophone.WithAKSK(accessKey, secretKey,
// projectID). Requests with X-Auth-Token are still checked against the
// token; a request without one must then carry a valid signature (see the
// package documentation), or it gets HTTP 401 with APIGW.0301. X-Sdk-Date
// must be within 15 minutes of the server's clock ([WithClock]): a client
// signs with the real time, so a server clock far from it refuses every
// signed request. It may be given several times, for several keys; a key
// given again replaces the first. NewServer panics if an argument is
// empty.
func WithAKSK(accessKey, secretKey, projectID string) Option {
	return func(s *Server) {
		s.addKey("WithAKSK", accessKey, keyPair{secret: secretKey, project: projectID})
	}
}

// WithTemporaryAKSK is [WithAKSK] for temporary credentials, as
// koophone.WithTemporaryAKSK signs with them: requests signed with
// accessKey must also carry X-Security-Token equal to securityToken, and
// sign it. NewServer panics if an argument is empty.
func WithTemporaryAKSK(accessKey, secretKey, securityToken, projectID string) Option {
	return func(s *Server) {
		if securityToken == "" {
			panic("koophonetest: WithTemporaryAKSK: empty security token")
		}
		s.addKey("WithTemporaryAKSK", accessKey, keyPair{secret: secretKey, project: projectID, securityToken: securityToken})
	}
}

// addKey adds a key pair of an option named name.
func (s *Server) addKey(name, accessKey string, k keyPair) {
	if accessKey == "" || k.secret == "" || k.project == "" {
		panic("koophonetest: " + name + ": empty access key, secret key or project id")
	}
	if s.keys == nil {
		s.keys = map[string]keyPair{}
	}
	s.keys[accessKey] = k
}

// authenticate checks a request's credentials as the gateway does: the
// token, or with [WithAKSK] a signature when the request has no
// X-Auth-Token. It returns the gateway's answer to bad ones.
func (s *Server) authenticate(r *http.Request, body []byte) (reply, bool) {
	token := r.Header.Get("X-Auth-Token")
	if len(s.keys) > 0 && token == "" {
		if msg := s.checkSignature(r, body); msg != "" {
			return unauthorized(msg), false
		}
		return reply{}, true
	}
	if token != s.token {
		return unauthorized("verify aksk or token failed"), false
	}
	return reply{}, true
}

// unauthorized is the gateway's HTTP 401 APIGW.0301 answer.
func unauthorized(msg string) reply {
	return gatewayError(http.StatusUnauthorized, codeGatewayUnauthorized, "Incorrect IAM authentication information: "+msg)
}

// checkSignature returns what is wrong with a signed request, or "": the
// Authorization header, the key, X-Sdk-Date, X-Project-Id, the security
// token, and the signature of the request as received.
func (s *Server) checkSignature(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "missing Authorization header"
	}
	got, ok := parseAuthorization(auth)
	if !ok {
		return "Authorization is not " + signer.Algorithm + " Access=…, SignedHeaders=…, Signature=…"
	}
	key, ok := s.keys[got.access]
	if !ok {
		return "unknown access key"
	}
	at, msg := s.checkDate(r.Header.Get(signer.HeaderDate))
	if msg != "" {
		return msg
	}
	switch project := r.Header.Get(signer.HeaderProjectID); {
	case project == "":
		return "missing " + signer.HeaderProjectID + " header"
	case project != key.project:
		return signer.HeaderProjectID + " is not the access key's project"
	}
	if key.securityToken != "" && r.Header.Get(signer.HeaderSecurityToken) != key.securityToken {
		return "missing or wrong " + signer.HeaderSecurityToken + " for a temporary access key"
	}
	return checkSigned(r, body, got, key.secret, at)
}

// checkDate parses X-Sdk-Date and checks it is within maxClockSkew of the
// server's time.
func (s *Server) checkDate(date string) (time.Time, string) {
	if date == "" {
		return time.Time{}, "missing " + signer.HeaderDate + " header"
	}
	at, err := time.Parse(signer.DateFormat, date)
	if err != nil || at.Format(signer.DateFormat) != date { // time.Parse takes fractions of seconds too
		return time.Time{}, fmt.Sprintf("%s %q is not in the format %s", signer.HeaderDate, date, signer.DateFormat)
	}
	if skew := s.now().Sub(at); skew > maxClockSkew || skew < -maxClockSkew {
		return time.Time{}, fmt.Sprintf("%s %s is more than 15 minutes from the server's time", signer.HeaderDate, date)
	}
	return at, ""
}

// checkSigned signs again what the request received (method, host, escaped
// path and raw query as sent, the signed headers as received, the body)
// and compares the signed header names and the signature with got's.
func checkSigned(r *http.Request, body []byte, got authorization, secret string, at time.Time) string {
	u := &url.URL{Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	req := &http.Request{Method: r.Method, URL: u, Header: http.Header{}}
	for _, name := range strings.Split(got.signedHeaders, ";") {
		if name == "host" {
			continue
		}
		values := r.Header.Values(name)
		if len(values) == 0 {
			return fmt.Sprintf("signed header %q is not in the request", name)
		}
		req.Header[http.CanonicalHeaderKey(name)] = values
	}
	signer.Sign(req, body, got.access, secret, at)
	want, _ := parseAuthorization(req.Header.Get("Authorization"))
	if got.signedHeaders != want.signedHeaders {
		return fmt.Sprintf("SignedHeaders is %q; signing those headers as the SDKs do gives %q", got.signedHeaders, want.signedHeaders)
	}
	if !hmac.Equal([]byte(got.signature), []byte(want.signature)) {
		return "verify aksk signature fail"
	}
	return ""
}

// authorization is what an SDK-HMAC-SHA256 Authorization header holds.
type authorization struct {
	access, signedHeaders, signature string
}

// parseAuthorization reads "SDK-HMAC-SHA256 Access=…, SignedHeaders=…,
// Signature=…"; ok is false unless it has the three, non-empty.
func parseAuthorization(h string) (authorization, bool) {
	rest, ok := strings.CutPrefix(h, signer.Algorithm+" ")
	if !ok {
		return authorization{}, false
	}
	var a authorization
	for _, field := range strings.Split(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch name {
		case "Access":
			a.access = value
		case "SignedHeaders":
			a.signedHeaders = value
		case "Signature":
			a.signature = value
		}
	}
	return a, a.access != "" && a.signedHeaders != "" && a.signature != ""
}
