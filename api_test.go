package koophone_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/internal/apilist"
)

var updateAPI = flag.Bool("update-api", false, "rewrite api/*.txt from the code")

// publicPackages are the packages other code imports, by directory, with
// the file in api/ that lists their exported API. Modules of their own
// (redislimit, otelkoophone) are read from their source like the rest.
var publicPackages = map[string]string{
	".":            "koophone.txt",
	"koophonetest": "koophonetest.txt",
	"redislimit":   "redislimit.txt",
	"otelkoophone": "otelkoophone.txt",
}

// TestAPIListing fails when a public package's exported API differs from
// its listing in api/: a change to the public API must be deliberate. Run
// `go test -run TestAPIListing -update-api .` to rewrite the listings, and
// say what changed in CHANGELOG.md.
func TestAPIListing(t *testing.T) {
	for dir, file := range publicPackages {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			continue
		}
		got, err := apilist.Listing(dir)
		require.NoError(t, err, dir)
		path := filepath.Join("api", file)
		if *updateAPI {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "%s has no listing: run go test -run TestAPIListing -update-api .", dir)
		assert.Equal(t, string(want), got, "the exported API of %s changed: if on purpose, run "+
			"go test -run TestAPIListing -update-api . and add a CHANGELOG line", dir)
	}
}
