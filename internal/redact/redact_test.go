package redact

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormsOfASecret(t *testing.T) {
	t.Parallel()
	assert.Nil(t, Forms(""))
	assert.Equal(t, []string{"abc123"}, Forms("abc123"), "a plain secret has one form")
	forms := Forms(`a+b/c= d&<"`)
	for _, want := range []string{
		`a+b/c= d&<"`,               // as sent
		`a%2Bb%2Fc%3D+d%26%3C%22`,   // query-escaped
		`a%2Bb%2Fc%3D%20d%26%3C%22`, // percent-encoded
		`a+b%2Fc=%20d&%3C%22`,       // path-escaped
		`a+b/c= d&<\"`,              // JSON-escaped
		`a+b/c= d\u0026\u003c\"`,    // JSON-escaped, HTML-safe
		`a+b/c= d&amp;&lt;&#34;`,    // HTML-escaped
		`a+b/c= d&amp;&lt;&quot;`,   // HTML-escaped with &quot;
	} {
		assert.Contains(t, forms, want)
	}
}

func TestRedactFindsEveryFormInAnyCase(t *testing.T) {
	t.Parallel()
	s := New("", "a+b/c=", "tok")
	for _, text := range []string{
		"x a+b/c= y", "x a%2Bb%2Fc%3D y", "x a%2bb%2fc%3d y", "x a%2Bb%2fc%3D y", "x a+b%2Fc= y", "x a+b/\u200bc= y",
	} {
		got := s.Redact(text)
		assert.Equal(t, "x [redacted] y", got, text)
		assert.Equal(t, got, s.Echoed(text), text)
	}
	assert.Equal(t, "[redacted]", New("<tok").Redact(`\u003ctok`), "JSON escapes in any case")
	assert.Equal(t, "[redacted]", New("<tok").Redact(`\u003Ctok`))
}

func TestEchoedLeavesTextWithoutSecretsAlone(t *testing.T) {
	t.Parallel()
	s := New("secret")
	for _, text := range []string{"", "plain", "a\u200bb\u202e", "%2b%zz\\u00e9"} {
		assert.Equal(t, text, s.Echoed(text))
	}
	assert.Equal(t, "ab", s.Redact("a\u200bb"), "Redact drops invisible characters")
	assert.Equal(t, "%2b", s.Redact("%2b"), "and changes nothing else when no secret is there")
	var none *Set
	assert.Equal(t, "secret", none.Redact("secret"))
	assert.Equal(t, "secret", none.Echoed("secret"))
	assert.Nil(t, New("", ""))
}

func TestLongerFormsGoFirst(t *testing.T) {
	t.Parallel()
	u := "https://h.example/a?AccessKeyId=AKID0001&Signature=SIG0001"
	s := New(URLSecrets(u)...)
	assert.Equal(t, "get https://h.example/a?[redacted] failed", s.Redact("get "+u+" failed"))
	assert.Equal(t, "Signature=[redacted]&AccessKeyId=[redacted]", s.Redact("Signature=SIG0001&AccessKeyId=AKID0001"))
}

func TestURLSecrets(t *testing.T) {
	t.Parallel()
	got := URLSecrets("https://user:pass-word@h.example/p?b=Zm9v%2Bx&a=ab&c=123456#frag-ment")
	for _, want := range []string{"user:pass-word", "pass-word", "b=Zm9v%2Bx&a=ab&c=123456", "a=ab&b=Zm9v%2Bx&c=123456",
		"Zm9v%2Bx", "Zm9v+x", "123456", "frag-ment"} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "ab", "short values would redact ordinary words")
	assert.Equal(t, []string{"%zz"}, URLSecrets("%zz"), "a URL that does not parse is a secret")
}

func TestURLAndPrefix(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://h.example/p (query redacted)", URL("https://u:p@h.example/p?sig=x#f"))
	assert.Equal(t, "https://h.example/p", URL("https://h.example/p"))
	assert.Equal(t, "redacted", URL("%zz"))
	assert.Equal(t, "AKEX…", Prefix("AKEXAMPLE"))
	assert.Equal(t, "…", Prefix("AKEX"))
}

func TestASetIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	s := New(strings.Repeat("k", 40), "a+b")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, "x [redacted]", s.Redact("x a%2bb"))
		}()
	}
	wg.Wait()
}
