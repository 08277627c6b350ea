package main

import (
	"bytes"
	"testing"

	"github.com/koophone-go/koophone/internal/redact"
	"github.com/stretchr/testify/assert"
)

type fakeTerm struct{ bytes.Buffer }

func (*fakeTerm) IsTerminal() bool { return true }

func TestHidingWriterKeepsTheTerminalAndHides(t *testing.T) {
	t.Parallel()
	var term fakeTerm
	s := &session{stdout: &term, stderr: &term}
	s.hide([]string{"SIG&SECRET"})
	assert.True(t, isTerminal(s.stdout), "a terminal stays a terminal")
	_, err := s.stdout.Write([]byte(`plain SIG&SECRET, in JSON "SIG\u0026SECRET"` + "\n"))
	assert.NoError(t, err)
	assert.Equal(t, `plain [redacted], in JSON "[redacted]"`+"\n", term.String())
}

// TestHidingWriterHidesEveryEchoedFormOfASignedURL: apps install hides the
// package URL's signature however a later answer quotes it.
func TestHidingWriterHidesEveryEchoedFormOfASignedURL(t *testing.T) {
	t.Parallel()
	const url = "https://bucket.obs.example.com/app.apk?AccessKeyId=AK1&Expires=1700000000&Signature=Zm9v+YmFy/YmF6="
	for _, echoed := range []string{
		"Signature=Zm9v+YmFy/YmF6=",                                                  // as sent
		"Signature=Zm9v%2BYmFy%2FYmF6%3D",                                            // percent-encoded
		"Signature=Zm9v%2bYmFy%2fYmF6%3d",                                            // lower-case escapes
		"AccessKeyId=AK1&amp;Expires=1700000000&amp;Signature=Zm9v%2BYmFy%2FYmF6%3D", // HTML-escaped query
		"Signature=Zm9v+YmFy/YmF6=&Expires=1700000000&AccessKeyId=AK1",               // reordered
	} {
		var out bytes.Buffer
		s := &session{stdout: &out, stderr: &out}
		s.hide(redact.URLSecrets(url))
		_, err := s.stdout.Write([]byte("job failed: could not fetch " + echoed + "\n"))
		assert.NoError(t, err)
		assert.NotContains(t, out.String(), "Zm9v", echoed)
		assert.NotContains(t, out.String(), "YmF6", echoed)
		assert.Contains(t, out.String(), "job failed: could not fetch ", echoed)
	}
}
