package koophone_test

import (
	"net/http"
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
