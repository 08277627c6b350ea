package main

import (
	"bytes"
	"testing"

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
