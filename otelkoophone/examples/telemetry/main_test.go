package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunPrintsTheWaitWithItsPolls(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	tree := out.String()[strings.LastIndex(out.String(), "\n\n")+2:]
	assert.Equal(t, `KooPhone.BatchPrepareInstances (client) koophone.attempts=1 http.response.status_code=200
KooPhone.WaitAllReady (internal) 
`+strings.Repeat("  KooPhone.ShowProgress (client) koophone.attempts=1 http.response.status_code=200\n", 6), tree)
	assert.Contains(t, out.String(), `"Name":"KooPhone.WaitAllReady"`, "the stdout exporter's output comes first")
}
