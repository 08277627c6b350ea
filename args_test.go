package koophone_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone"
)

// Text that is only white space, or that holds an invisible formatting
// character (zero-width, bidi), is refused before sending wherever the
// SDK checks text: ids, task ids, names, prefixes.
func TestBlankAndInvisibleTextIsRefused(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0"}`))
	calls := map[string]func(ctx context.Context, text string) error{
		"instance id": func(ctx context.Context, text string) error {
			_, err := c.PrepareProgress(ctx, "u", text)
			return err
		},
		"user id": func(ctx context.Context, text string) error {
			_, err := c.PrepareInstances(ctx, text, []string{"i"})
			return err
		},
		"task id": func(ctx context.Context, text string) error {
			_, err := c.GetTask(ctx, text)
			return err
		},
		"NamePrefix": func(ctx context.Context, text string) error {
			req := createRequest()
			req.NamePrefix = text
			_, err := c.CreateInstances(ctx, req)
			return err
		},
	}
	for name, call := range calls {
		for text, want := range map[string]string{
			" ":             "is only white space",
			"  \u3000 ":     "is only white space",
			"i\u200b1":      "invisible formatting control character (U+200B)",
			"\u2066i-1":     "invisible formatting control character (U+2066)",
			"i-1\u00ad":     "invisible formatting control character (U+00AD)",
			"i-1\U000e0041": "invisible formatting control character (U+E0041)",
		} {
			err := call(timeout(t), text)
			assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "%s %q", name, text)
			assert.ErrorContains(t, err, name)
			assert.ErrorContains(t, err, want)
		}
	}
	assert.Empty(t, s.Requests())
}
