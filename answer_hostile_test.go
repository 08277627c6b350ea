package koophone_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// A status or code that is not exactly what a float64 rounds it to is not
// read as that: 1e-400 is no status 0 (ready), nor an error_code of 0
// (success). The answer is malformed; a read is retried.
func TestNumbersThatOnlyRoundToAStatusAreMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error_code":"0","data":{"status":1e-400}}`,
		`{"error_code":"0","data":{"status":-1e-400}}`,
		`{"error_code":"0","data":{"status":"-0.99999999999999999999"}}`,
		`{"error_code":"0","data":{"status":0.99999999999999999999}}`,
		`{"error_code":"0","data":{"status":"0x0p0"}}`,
		`{"error_code":"0","data":{"status":"0_0"}}`,
	} {
		c, s := setup(t, always(http.StatusOK, body))
		p, err := c.PrepareProgress(timeout(t), "u", "i")
		assert.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.Zero(t, p, body)
		assert.Len(t, s.Requests(), retried, body)
	}
	c, _ := setup(t, always(http.StatusOK, `{"error_code":1e-400,"data":{"status":0}}`))
	p, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr, "an error code that is not zero")
	assert.Equal(t, "1E-400", apiErr.Code)
	assert.Zero(t, p)
}

// An answer whose object names one member twice, or in two spellings that
// encoding/json folds into one ("Status", "STATUS", "ſtatus" with U+017F,
// "\u212Ap_id" with the Kelvin sign), cannot be read one way only:
// encoding/json takes the last, where other readers take the exact name.
// It is malformed, never a success, a ready status or a swapped id.
func TestAnswersNamingAMemberTwiceAreMalformed(t *testing.T) {
	t.Parallel()
	progress := []string{
		`{"error_code":"KOOPHONE.API.4001","Error_Code":"0","data":{"status":0}}`,
		`{"error_code":"KOOPHONE.API.9999","error_code":"0","data":{"status":0}}`,
		`{"error_code":"0","data":{"status":-1,"Status":0}}`,
		`{"error_code":"0","data":{"status":-1,"STATUS":0}}`,
		`{"error_code":"0","data":{"status":-1,"ſtatus":0}}`,
		`{"error_code":"0","data":{"status":-1,"st\u0061tus":0}}`,
		`{"error_code":"0","data":{"status":-1},"DATA":{"status":0}}`,
	}
	for _, body := range progress {
		c, s := setup(t, always(http.StatusOK, body))
		p, err := c.PrepareProgress(timeout(t), "u", "i")
		require.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, "an object names", body)
		assert.Zero(t, p, body)
		assert.Len(t, s.Requests(), retried, "a read is retried: %s", body)
	}
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"status_list":[{"instance_id":"i-2","status":-1,"Instance_Id":"i-1"}]}}`))
	states, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
	require.ErrorIs(t, err, koophone.ErrMalformedResponse)
	assert.Nil(t, states)
	assert.Len(t, s.Requests(), 1, "a write is not repeated")

	// Names that repeat across a list's entries are fine.
	c, _ = setup(t, always(http.StatusOK, `{"error_code":"0","data":{"status_list":[{"instance_id":"i-1","status":0},{"instance_id":"i-2","status":1}]}}`))
	states, err = c.PrepareInstances(timeout(t), "u", []string{"i-1", "i-2"})
	require.NoError(t, err)
	assert.Len(t, states, 2)
}

// An answer of exactly 1 MiB is read; one byte more is malformed, however
// valid its first MiB, and not retried: another attempt would be as big.
func TestAnswerAtTheSizeLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	body := func(size int) string {
		head, tail := `{"error_code":"0","error_msg":"`, `","data":{"status":0}}`
		return head + strings.Repeat("x", size-len(head)-len(tail)) + tail
	}
	c, _ := setup(t, always(http.StatusOK, body(limit)))
	p, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)

	for _, b := range []string{body(limit + 1), body(limit) + " "} {
		c, s := setup(t, always(http.StatusOK, b))
		_, err = c.PrepareProgress(timeout(t), "u", "i")
		require.ErrorIs(t, err, koophone.ErrMalformedResponse)
		assert.ErrorContains(t, err, "larger than 1048576 bytes")
		assert.Len(t, s.Requests(), 1)
	}
}

// HTTP statuses that contradict the envelope: a 204 (net/http drops any
// body it has) says nothing of error_code, so it is no success; a 4xx or
// 5xx whose body reads as a success is an error of that status; a 304 is
// not followed. A write is sent once in each case.
func TestStatusesThatContradictTheEnvelope(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
		want   error
	}{
		{http.StatusNoContent, `{"error_code":"0","data":{}}`, koophone.ErrMalformedResponse},
		{http.StatusBadRequest, `{"error_code":"0","error_msg":"ok"}`, koophone.ErrInvalidParameter},
		{http.StatusInternalServerError, `{"error_code":"0","error_msg":"ok"}`, koophone.ErrInternal},
		{http.StatusNotModified, ``, nil},
		{http.StatusFound, `{"error_code":"0"}`, nil},
	} {
		c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Location", "https://elsewhere.example/")
			answer(w, tc.status, tc.body)
		})
		err := c.RebootInstances(timeout(t), []string{"i-1"})
		var apiErr *koophone.APIError
		require.ErrorAs(t, err, &apiErr, tc.status)
		assert.Equal(t, tc.status, apiErr.HTTPStatus)
		if tc.want != nil {
			assert.ErrorIs(t, err, tc.want, tc.status)
		}
		assert.Len(t, s.Requests(), 1, tc.status)
	}
}
