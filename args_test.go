package koophone_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
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

// validID is the rule the SDK must apply before sending: 1 to 32
// characters of valid UTF-8, none of them control or formatting characters
// (zero-width, bidi), not only white space, and not "." or ".." (a path
// segment's dot segments).
func validID(id string) bool {
	if strings.TrimSpace(id) == "" || id == "." || id == ".." || !utf8.ValidString(id) || utf8.RuneCountInString(id) > 32 {
		return false
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return false
		}
	}
	return true
}

// FuzzArgumentValidation checks that PrepareProgress sends a request if
// and only if both ids are valid, and then sends them unchanged.
func FuzzArgumentValidation(f *testing.F) {
	for _, seed := range [][2]string{
		{"user-1", "phone-1"}, {"", "i"}, {"u", ""}, {"用户", "实例"}, {"a\x00b", "i"}, {"\xff", "i"},
		{"12345678901234567890123456789012", "i"}, {"123456789012345678901234567890123", "i"}, {"a/b?c#d e", "%2F"}, {".", "i"}, {"u", ".."}, {"...", "i"}, {"a\u202eb", "i"},
		{"u", "a\u200bb"}, {"\ufeffu", "i"}, {" ", "i"}, {"u", "\u3000\t"}, {"u", " i "},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, userID, instanceID string) {
		var got map[string]string
		mock := httpmock.NewMockTransport()
		mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare-progress",
			func(r *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(r.Body)
				if err := json.Unmarshal(b, &got); err != nil {
					t.Errorf("the body is not JSON: %q", b)
				}
				return httpmock.NewStringResponse(http.StatusOK, okReady), nil
			})
		c, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint("https://koophone.test"),
			koophone.WithHTTPClient(&http.Client{Transport: mock}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.PrepareProgress(context.Background(), userID, instanceID)
		valid := validID(userID) && validID(instanceID)
		switch {
		case valid && err != nil:
			t.Fatalf("valid ids %q, %q rejected: %v", userID, instanceID, err)
		case !valid && !errors.Is(err, koophone.ErrInvalidParameter):
			t.Fatalf("invalid ids %q, %q not rejected: %v", userID, instanceID, err)
		case !valid && mock.GetTotalCallCount() != 0:
			t.Fatalf("invalid ids %q, %q were sent", userID, instanceID)
		case valid && (got["user_id"] != userID || got["instance_id"] != instanceID):
			t.Fatalf("sent %q for %q, %q", got, userID, instanceID)
		}
	})
}
